"""The opt-in resident scan server ("scan daemon"), in the manner of Mercurial's chg or mypy's dmypy.

``appwarden daemon start`` runs a warm parent process (everything ``appwarden scan`` imports is imported and the
packaged knowledge is loaded once, then ``gc.freeze()``) that listens on a Unix stream socket. While it runs,
``appwarden scan`` (the lean launcher :mod:`appwarden.launch`) sends its argv, cwd, environment and its fds 0/1/2
over the socket; the server forks a child per request that adopts them and runs :func:`appwarden.cli.main`, so
the scan costs a tiny client start-up plus a fork instead of an interpreter start-up and the imports.

Modules (the first three are imported by the launcher and must stay lean: standard modules already loaded at
interpreter start-up plus ``_socket``):

* :mod:`~appwarden.daemon.paths`: socket location and the directory permission check;
* :mod:`~appwarden.daemon.protocol`: the request header and the reply lines;
* :mod:`~appwarden.daemon.client`: the scan client (falls back to in-process by returning None);
* :mod:`~appwarden.daemon.stamp`: the staleness stamp of the installed code and knowledge;
* :mod:`~appwarden.daemon.warm`: the imports and knowledge loading done once at start-up;
* :mod:`~appwarden.daemon.child`: what the forked child does with one request;
* :mod:`~appwarden.daemon.server`: the accept loop (peer uid check, fork, reaping, idle timeout, SIGTERM);
* :mod:`~appwarden.daemon.control`: start (daemonise) / stop / status, used by ``appwarden daemon``.

Security model: the socket lives in a directory owned by the user with mode 0700; the server and the client both
refuse a directory that is not, and both check the peer's uid (SO_PEERCRED) on every connection. Linux only
(SO_PEERCRED); elsewhere ``appwarden scan`` simply runs in-process.
"""
