// Runs the generated Frida agent in node with a stand-in for Frida's Java bridge (no device exists here).
// It loads the agent, checks which hooks were installed, drives a short scenario through the installed
// implementations (privacy dialog, a MAC read before consent, a filtered Settings read, an agree click, a
// network request carrying the MAC, a permission request/result, a sensor registration, a tester mark) and
// prints {hooks, installed, missing, sent} as JSON for tests/dynamic/test_agent.py.
'use strict';
const fs = require('fs');
const vm = require('vm');

const agentPath = process.argv[2];
const MISSING = new Set(JSON.parse(process.argv[3] || '[]')); // classes that "do not exist" on the fake device
const sent = [];
let clockNow = 1000;
let currentStack = [];
const classes = {};

function fakeMethod(cls, name) {
    const mk = (i) => ({
        implementation: null,
        apply: (self, args) => (self && self.__ret !== undefined ? self.__ret : `ret:${cls}.${name}#${i}`),
    });
    const method = {overloads: [mk(0), mk(1)], implementation: null};
    return method;
}

function fakeClass(name) {
    if (classes[name]) {
        return classes[name];
    }
    const methods = {};
    const special = {
        'java.lang.Throwable': {$new: () => ({getStackTrace: () => currentStack.map((f) => ({toString: () => f}))})},
        'java.lang.Thread': {currentThread: () => ({getName: () => 'main'})},
        'android.os.SystemClock': {elapsedRealtime: () => clockNow},
        'android.widget.TextView': {class: {isInstance: (v) => v !== null && v.kind === 'text'}},
        'android.view.ViewGroup': {class: {isInstance: (v) => v !== null && v.kind === 'group'}},
        'android.hardware.Sensor': {class: {isInstance: (v) => v !== null && v.kind === 'sensor'}},
    }[name] || {};
    const target = {name: name, methods: methods};
    const proxy = new Proxy(target, {
        get(t, prop) {
            if (prop in special) {
                return special[prop];
            }
            if (prop === '__methods') {
                return methods;
            }
            if (typeof prop !== 'string' || prop === 'then') {
                return undefined;
            }
            if (!methods[prop]) {
                methods[prop] = fakeMethod(name, prop);
            }
            return methods[prop];
        },
    });
    classes[name] = proxy;
    return proxy;
}

const Java = {
    use(name) {
        if (MISSING.has(name)) {
            throw new Error('java.lang.ClassNotFoundException: ' + name);
        }
        return fakeClass(name);
    },
    perform(fn) {
        fn();
    },
    cast(obj) {
        return obj;
    },
    enumerateClassLoadersSync() {
        return [];
    },
    ClassFactory: {get: () => Java},
};

const sandbox = {
    Java: Java,
    send: (m) => sent.push(JSON.parse(JSON.stringify(m))),
    rpc: {exports: {}},
    setInterval: () => 1,
    clearInterval: () => undefined,
    console: console,
    Date: Date,
};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(agentPath, 'utf8'), sandbox, {filename: 'agent.js'});

function impl(cls, method, overload) {
    const m = classes[cls].__methods[method];
    if (overload === undefined) {
        return m.implementation;
    }
    return m.overloads[overload].implementation;
}

// which hooks got an implementation on every overload
const hooks = vm.runInContext('HOOKS', sandbox);
const installed = [];
const missing = [];
hooks.forEach((h) => {
    const cls = classes[h.c];
    const m = cls && cls.__methods[h.m];
    if (m && m.overloads.every((o) => typeof o.implementation === 'function')) {
        installed.push(h.c + '.' + h.m);
    } else {
        missing.push(h.c + '.' + h.m);
    }
});

const host = ['com.example.shop.util.DeviceInfo.mac(DeviceInfo.java:41)', 'com.example.shop.App.onCreate(App.java:22)'];
const text = (s) => ({kind: 'text', text: s, getText: () => s});

// 1. MAC read before the dialog (host code)
clockNow = 1900;
currentStack = ['android.net.wifi.WifiInfo.getMacAddress(Native Method)'].concat(host);
impl('android.net.wifi.WifiInfo', 'getMacAddress', 0).call({__ret: '3c:5a:b4:01:02:03'});
// 2. Settings.Secure.getString for a non-PI key is filtered; android_id is reported
clockNow = 2000;
impl('android.provider.Settings$Secure', 'getString', 1).call({}, 'cr', 'bluetooth_name');
impl('android.provider.Settings$Secure', 'getString', 1).call({__ret: '9774d56d682e549c'}, 'cr', 'android_id');
// 3. privacy dialog shown
clockNow = 2200;
const decor = {kind: 'group', getChildCount: () => 2, getChildAt: (i) => [text('用户协议与隐私政策'), text('同意')][i]};
impl('android.app.Dialog', 'show').call({show: () => undefined, getWindow: () => ({getDecorView: () => decor})});
// 4. user taps 同意
clockNow = 4000;
impl('android.view.View', 'performClick', 0).call(text('同意'));
// 5. a request whose URL carries the MAC seen earlier
clockNow = 4500;
currentStack = ['java.net.URL.openConnection(URL.java:1)', 'com.umeng.net.Up.send(Up.java:9)'];
impl('java.net.URL', 'openConnection', 0).call({
    toString: () => 'https://ulogs.umeng.com/u?m=3c:5a:b4:01:02:03',
    getHost: () => 'ulogs.umeng.com',
    getPath: () => '/u',
});
// 5b. the same through OkHttp (hooked through the retry list: an app class)
clockNow = 4600;
impl('okhttp3.OkHttpClient', 'newCall', 0).call({}, {
    url: () => ({toString: () => 'https://api.example.com/v2/feed?aid=9774d56d682e549c', host: () => 'api.example.com',
                 encodedPath: () => '/v2/feed'}),
    method: () => 'GET',
});
// 6. permission request and its result
clockNow = 5000;
currentStack = ['android.app.Activity.requestPermissions(Activity.java:1)', 'com.example.shop.MainActivity.onCreate(M.java:3)'];
impl('android.app.Activity', 'requestPermissions', 0).call({}, ['android.permission.ACCESS_FINE_LOCATION'], 7);
clockNow = 5600;
const data = {
    getStringArrayExtra: () => ['android.permission.ACCESS_FINE_LOCATION'],
    getIntArrayExtra: () => [-1],
};
impl('android.app.Activity', 'dispatchRequestPermissionsResult').call({dispatchRequestPermissionsResult: () => undefined}, 7, data);
// 7. a shake listener
clockNow = 6000;
impl('android.hardware.SensorManager', 'registerListener', 0).call({}, {}, {kind: 'sensor', getType: () => 1}, 1);
// 8. tester mark
clockNow = 6500;
sandbox.rpc.exports.mark('mark', 'checkpoint');

process.stdout.write(JSON.stringify({hooks: hooks, installed: installed, missing: missing, sent: sent}));
