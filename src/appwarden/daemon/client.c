/*
 * The native `appwarden` command: hands `appwarden scan` to a running scan daemon without starting Python.
 *
 * It is the C twin of appwarden/launch.py + appwarden/daemon/client.py (the same decisions, the same request
 * frame, the same replies; see appwarden/daemon/protocol.py), built by setup.py and installed as the
 * `appwarden` command next to the Python launcher `appwarden-py`. A Python interpreter costs ~20 ms to start;
 * this costs ~1 ms, which is most of what is left of a daemon scan of a small app.
 *
 * Contract: whenever it does not hand the command to a daemon that takes it, it execs `appwarden-py` (found
 * next to its own executable, /proc/self/exe) with the same arguments, so the user always gets the Python
 * launcher's behaviour:
 *   - the command is not `scan`, `--no-daemon` is given (before a `--`), APPWARDEN_NO_DAEMON is set (not empty
 *     or "0"), or PYTHONPATH/PYTHONHOME/PYTHONUSERBASE/PYTHONPLATLIBDIR is set (they could make Python import
 *     another appwarden than the daemon's, which this client cannot see);
 *   - no socket, an unsafe socket directory (not ours or not 0700), a peer of another uid, fds 0-2 not all open,
 *     no working directory, the interpreter of `appwarden-py` not readable from its `#!` line;
 *   - the daemon replies `stale` or `error`, or closes the connection before a child took the request.
 * In that case `--no-daemon` is put in front of the arguments, so the launcher does not ask the daemon again.
 * Once a child has taken the request (`pid N`), its exit code is ours; a daemon that dies after that gives one
 * line and exit code 2. SIGINT is forwarded to the child; the third one kills it and exits 130 here.
 *
 * The request leaves the six stdio encoding fields empty: the child derives them from the client's environment
 * as Python would at start-up (appwarden.daemon.child). The package field is empty too: this client cannot
 * know the package directory; the server then identifies the installation by interpreter and version.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef APPWARDEN_VERSION
#error "build with -DAPPWARDEN_VERSION=\"x.y.z\" (setup.py does)"
#endif

#define TAG "appwarden-daemon/1"
#define LAUNCHER "appwarden-py"
#define NO_DAEMON "--no-daemon"
#define DIED "appwarden: error: scan daemon exited during the request\n"
#define MAX_REQUEST (4u << 20) /* the server refuses longer requests (protocol.MAX_REQUEST) */

extern char **environ;

static char launcher[PATH_MAX];
static volatile sig_atomic_t interrupts = 0;
static volatile sig_atomic_t child_pid = 0;

/* ---------------------------------------------------------------------------------------------- fallback */

/* Run the Python launcher with our arguments (and --no-daemon first when asked); never returns. A Ctrl-C that
 * arrived while asking the daemon ends the command here, as the Python launcher's would. */
static void run_launcher(int argc, char **argv, int no_daemon) {
    signal(SIGINT, SIG_DFL);
    if (interrupts > 0) {
        fputs("appwarden: interrupted\n", stderr);
        _exit(130);
    }
    char **args = calloc((size_t)argc + 2, sizeof(char *));
    if (args == NULL) {
        fputs("appwarden: error: out of memory\n", stderr);
        _exit(2);
    }
    int n = 0;
    args[n++] = launcher;
    if (no_daemon)
        args[n++] = NO_DAEMON;
    for (int i = 1; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    execv(launcher, args);
    fprintf(stderr, "appwarden: error: cannot run %s: %s\n", launcher, strerror(errno));
    _exit(2);
}

/* launcher = <directory of this executable>/appwarden-py; 0 on success. */
static int find_launcher(void) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL)
        return -1;
    *slash = '\0';
    if ((size_t)snprintf(launcher, sizeof launcher, "%s/%s", self, LAUNCHER) >= sizeof launcher)
        return -1;
    return 0;
}

/* The interpreter on the launcher's `#!` line (a path without spaces or arguments, as pip writes it), or NULL. */
static char *launcher_interpreter(void) {
    static char line[PATH_MAX + 4];
    int fd = open(launcher, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, line, sizeof line - 1);
    close(fd);
    if (n < 4 || line[0] != '#' || line[1] != '!')
        return NULL;
    line[n] = '\0';
    char *end = strchr(line, '\n');
    if (end == NULL)
        return NULL;
    *end = '\0';
    char *path = line + 2;
    if (path[0] != '/' || strpbrk(path, " \t\r") != NULL)
        return NULL;
    return path;
}

/* --------------------------------------------------------------------------------------------- decisions */

static int env_set(const char *name) {
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0';
}

/* 1 when this command is for the daemon (see the contract); *no_daemon tells whether --no-daemon was given. */
static int for_daemon(int argc, char **argv, int *no_daemon) {
    const char *command = NULL;
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-') {
            command = argv[i];
            break;
        }
    *no_daemon = 0;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], NO_DAEMON) == 0)
            *no_daemon = 1;
    if (command == NULL || strcmp(command, "scan") != 0 || *no_daemon)
        return 0;
    const char *off = getenv("APPWARDEN_NO_DAEMON");
    if (off != NULL && off[0] != '\0' && strcmp(off, "0") != 0)
        return 0;
    static const char *const imports[] = {"PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONPLATLIBDIR"};
    for (size_t i = 0; i < sizeof imports / sizeof imports[0]; i++)
        if (env_set(imports[i]))
            return 0;
    return 1;
}

/* The socket path as appwarden.daemon.paths.socket_path computes it; 0 on success. */
static int socket_path(char *out, size_t size) {
    const char *explicit = getenv("APPWARDEN_DAEMON_SOCKET");
    if (explicit != NULL && explicit[0] != '\0') {
        if (explicit[0] == '/')
            return (size_t)snprintf(out, size, "%s", explicit) < size ? 0 : -1;
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) == NULL)
            return -1;
        /* os.path.abspath also normalises `.`/`..`: only plain relative names are handled here */
        if (strstr(explicit, "./") != NULL || strcmp(explicit, ".") == 0 || strcmp(explicit, "..") == 0)
            return -1;
        return (size_t)snprintf(out, size, "%s/%s", cwd, explicit) < size ? 0 : -1;
    }
    const char *base = getenv("XDG_RUNTIME_DIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    return (size_t)snprintf(out, size, "%s/appwarden-%u/scan.sock", base, (unsigned)getuid()) < size ? 0 : -1;
}

/* 1 when the socket's directory is ours and 0700 (appwarden.daemon.paths.directory_problem is None). */
static int directory_safe(const char *sock) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", sock);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return 0;
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() && (st.st_mode & 077) == 0;
}

static int fds_open(void) {
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0)
            return 0;
    return 1;
}

/* ------------------------------------------------------------------------------------------------ request */

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static int put(buffer *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > MAX_REQUEST + 8)
            return -1;
        char *data = realloc(b->data, cap);
        if (data == NULL)
            return -1;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

/* Append one NUL-separated field (the separator goes before every field but the first). */
static int field(buffer *b, const char *s) {
    if (b->len > 4 && put(b, "", 1) < 0)
        return -1;
    return put(b, s, strlen(s));
}

/* The request frame (see appwarden/daemon/protocol.py), or -1 when it cannot be built. */
static int build_request(buffer *b, const char *interpreter, int argc, char **argv) {
    char cwd[PATH_MAX], number[32];
    if (getcwd(cwd, sizeof cwd) == NULL)
        return -1;
    if (put(b, "\0\0\0\0", 4) < 0)
        return -1;
    mode_t mask = umask(022);
    umask(mask);
    const char *common[] = {TAG, "scan", APPWARDEN_VERSION, interpreter, ""};
    for (size_t i = 0; i < 5; i++)
        if (field(b, common[i]) < 0)
            return -1;
    if (field(b, cwd) < 0)
        return -1;
    snprintf(number, sizeof number, "%o", (unsigned)mask);
    if (field(b, number) < 0)
        return -1;
    for (int i = 0; i < 6; i++) /* stdio encodings: derived by the child from the environment */
        if (field(b, "") < 0)
            return -1;
    /* argv without --no-daemon before a `--` (there is none on this path) */
    snprintf(number, sizeof number, "%d", argc - 1);
    if (field(b, number) < 0)
        return -1;
    for (int i = 1; i < argc; i++)
        if (field(b, argv[i]) < 0)
            return -1;
    for (char **e = environ; *e != NULL; e++)
        if (strchr(*e, '=') != NULL && (*e)[0] != '=' && field(b, *e) < 0)
            return -1;
    size_t payload = b->len - 4;
    if (payload > MAX_REQUEST)
        return -1;
    b->data[0] = (char)(payload >> 24);
    b->data[1] = (char)(payload >> 16);
    b->data[2] = (char)(payload >> 8);
    b->data[3] = (char)payload;
    return 0;
}

/* A connected socket to a daemon of this uid, or -1. */
static int connect_daemon(const char *path) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path)
        return -1;
    strcpy(addr.sun_path, path);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -1;
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid()) {
        close(sock);
        return -1;
    }
    return sock;
}

/* Send the frame with fds 0-2 attached to its first bytes; 0 on success. */
static int send_request(int sock, const buffer *b) {
    int fds[3] = {0, 1, 2};
    char control[CMSG_SPACE(sizeof fds)];
    memset(control, 0, sizeof control);
    struct iovec iov = {.iov_base = b->data, .iov_len = b->len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(cmsg), fds, sizeof fds);
    ssize_t sent;
    do
        sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    if (sent < 0)
        return -1;
    for (size_t done = (size_t)sent; done < b->len;) {
        ssize_t n = send(sock, b->data + done, b->len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* -------------------------------------------------------------------------------------------------- wait */

static void forward(void) {
    if (child_pid > 0)
        kill((pid_t)child_pid, interrupts >= 3 ? SIGKILL : SIGINT);
}

static void on_sigint(int signum) {
    (void)signum;
    interrupts++;
    forward();
    if (interrupts >= 3 && child_pid > 0) {
        static const char msg[] = "appwarden: interrupted\n";
        ssize_t ignored = write(2, msg, sizeof msg - 1);
        (void)ignored;
        _exit(130);
    }
}

enum { GO_LAUNCHER = -1 };

/* Count (and forward, once there is a child) SIGINTs from here on. No SA_RESTART: a blocked recv returns EINTR
 * and the reply loop goes on. */
static void catch_sigint(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

/* Read the replies: the child's pid, then its exit code. GO_LAUNCHER when nobody took the request. */
static int wait_replies(int sock) {
    char buf[512];
    size_t have = 0;
    for (;;) {
        char *nl = memchr(buf, '\n', have);
        if (nl == NULL) {
            if (have == sizeof buf) /* a reply line longer than any the daemon sends */
                have = 0;
            ssize_t n = recv(sock, buf + have, sizeof buf - have, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n > 0) {
                have += (size_t)n;
                continue;
            }
            if (child_pid > 0) {
                fputs(DIED, stderr);
                return 2;
            }
            if (interrupts > 0) {
                fputs("appwarden: interrupted\n", stderr);
                return 130;
            }
            return GO_LAUNCHER;
        }
        *nl = '\0';
        char *line = buf;
        char *rest = strchr(line, ' ');
        if (rest != NULL)
            *rest++ = '\0';
        int numeric = rest != NULL && rest[0] != '\0' && strspn(rest, "0123456789") == strlen(rest);
        if (strcmp(line, "pid") == 0 && numeric && strlen(rest) < 10) {
            child_pid = (sig_atomic_t)atoi(rest);
            if (interrupts > 0)
                forward();
            if (interrupts >= 3) { /* killed it: the user is gone, as on_sigint does */
                fputs("appwarden: interrupted\n", stderr);
                return 130;
            }
        } else if (strcmp(line, "exit") == 0 && numeric) {
            return (int)(strtoul(rest, NULL, 10) & 0xFF);
        } else if ((strcmp(line, "stale") == 0 || strcmp(line, "error") == 0) && child_pid == 0) {
            return GO_LAUNCHER;
        }
        size_t used = (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, have - used);
        have -= used;
    }
}

int main(int argc, char **argv) {
    if (find_launcher() < 0) {
        fputs("appwarden: error: cannot find this program's own path (/proc/self/exe)\n", stderr);
        return 2;
    }
    int no_daemon = 0;
    if (!for_daemon(argc, argv, &no_daemon))
        run_launcher(argc, argv, 0);
    catch_sigint();
    char sock_path[PATH_MAX];
    struct stat st;
    if (socket_path(sock_path, sizeof sock_path) < 0 || stat(sock_path, &st) < 0 || !directory_safe(sock_path) ||
        !fds_open())
        run_launcher(argc, argv, 0);
    const char *interpreter = launcher_interpreter();
    if (interpreter == NULL)
        run_launcher(argc, argv, 0);
    buffer request = {0};
    if (build_request(&request, interpreter, argc, argv) < 0)
        run_launcher(argc, argv, 0);
    int sock = connect_daemon(sock_path);
    if (sock < 0)
        run_launcher(argc, argv, 0);
    if (send_request(sock, &request) < 0) {
        close(sock);
        run_launcher(argc, argv, 1);
    }
    free(request.data);
    int code = wait_replies(sock);
    close(sock);
    if (code == GO_LAUNCHER)
        run_launcher(argc, argv, 1);
    return code;
}
