"""The transparency log's stored tree (leaf hashes and complete subtrees, ``attestation.tree``): roots, inclusion
and consistency proofs from O(log n) stored nodes equal ``appwarden.attest.merkle``'s from all the leaves for every
(index, size) and (old, new) pair up to 70 leaves; the migration backfills an existing log to the same roots; a
rewritten stored node / leaf hash / last entry / checkpoint row is refused at append, and a rewritten leaf body
(under its old stored hash) is found by the full check (``verify_attestation_log``), which exits non-zero with one
line. Runs on SQLite and, through ``test_services.test_suites_pass_on_postgresql``, on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import random

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase, TransactionTestCase

from appwarden.attest import merkle
from appwarden.attest.errors import AttestInputError
from appwarden.attest.log import revocation_envelope, revocation_leaf
from appwarden.platform.attestation import services as att_services
from appwarden.platform.attestation import tree
from appwarden.platform.attestation.logcheck import verify_log
from appwarden.platform.attestation.models import Checkpoint, LogEntry, TreeNode

MAX = 70


def _entry(key, n: int) -> tuple[bytes, dict]:
    sha = hashlib.sha256(f"apk-{n}".encode()).hexdigest()
    revokes = hashlib.sha256(f"payload-{n}".encode()).hexdigest()
    env = revocation_envelope(key, sha, revokes, f"reason {n}", "2026-12-08T00:00:00Z")
    return revocation_leaf(env, sha, revokes, f"reason {n}", "2026-12-08T00:00:00Z"), env


def test_tree_arithmetic_equals_merkle_for_every_pair():
    """No database: the node layout of ``tree`` (built by ``Builder``) gives merkle's roots and proofs."""
    rng = random.Random(6962)
    leaves = [merkle.leaf_hash(rng.randbytes(rng.randrange(0, 40))) for _ in range(MAX)]
    builder, stored = tree.Builder(), {}
    for i, leaf in enumerate(leaves):
        stored[(0, i)] = leaf
        stored.update(builder.push(leaf))
        assert builder.root() == merkle.root_hash(leaves[: i + 1])

    def fetch(wanted):
        return {n: stored[n] for n in wanted if n in stored}

    for size in range(1, MAX + 1):
        assert tree.root(size, fetch) == merkle.root_hash(leaves[:size])
        for index in range(size):
            got = tree.hash_ranges(tree.inclusion_ranges(index, size), fetch)
            assert got == merkle.inclusion_proof(leaves[:size], index), (index, size)
        for old in range(size + 1):
            got = tree.hash_ranges(tree.consistency_ranges(old, size), fetch)
            assert got == merkle.consistency_proof(leaves[:size], old), (old, size)


class StoredTreeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.key = att_services.platform_key()
        dblog = att_services.DbLog(cls.key)
        for n in range(MAX):
            body, env = _entry(cls.key, n)
            dblog.append(body, env, cls.key)

    def setUp(self):
        self.dblog = att_services.DbLog(self.key)
        self.leaves = self.dblog.leaf_hashes()

    def test_roots_and_proofs_equal_merkle_for_every_pair(self):
        self.assertEqual(len(self.leaves), MAX)
        roots = dict(Checkpoint.objects.values_list("size", "root"))
        for size in range(1, MAX + 1):
            hashes = self.leaves[:size]
            self.assertEqual(roots[size], merkle.root_hash(hashes).hex())
            self.assertEqual(self.dblog.root(size), merkle.root_hash(hashes))
            for index in range(size):
                self.assertEqual(
                    self.dblog.inclusion(index, size), merkle.inclusion_proof(hashes, index), (index, size)
                )
            for old in range(size + 1):
                self.assertEqual(
                    self.dblog.consistency(old, size), merkle.consistency_proof(hashes, old), (old, size)
                )

    def test_proof_cost_is_logarithmic(self):
        """A proof reads its O(log n) nodes in two queries, whatever the log's size."""
        with self.assertNumQueries(3):  # the latest checkpoint's size, the leaf hashes, the tree nodes
            self.dblog.inclusion(37, MAX)
        with self.assertNumQueries(3):
            self.dblog.consistency(13, MAX)

    def test_a_larger_size_than_signed_is_refused(self):
        with self.assertRaises(AttestInputError):
            self.dblog.inclusion(0, MAX + 1)

    def test_the_full_check_passes_and_the_command_says_so(self):
        self.assertEqual(
            (verify_log().problem, verify_log().entries, verify_log().checkpoints), (None, MAX, MAX)
        )
        out = io.StringIO()
        call_command("verify_attestation_log", "--batch", "7", stdout=out)
        self.assertIn(f"{MAX} entries", out.getvalue())

    def _refused_at_append(self, entries: int = MAX):
        body, env = _entry(self.key, 999)
        with self.assertRaises(AttestInputError) as ctx, self.assertLogs(att_services.log, "ERROR"):
            self.dblog.append(body, env, self.key)
        self.assertIn("no longer matches", str(ctx.exception))
        self.assertEqual(LogEntry.objects.count(), entries)
        self.assertEqual(Checkpoint.objects.count(), MAX)

    def test_a_rewritten_leaf_body_is_found_by_the_full_check(self):
        forged, _env = _entry(self.key, 1000)
        LogEntry.objects.filter(index=5).update(body=forged)  # queryset update: past the append-only model
        problem = verify_log(batch=16).problem
        self.assertEqual(problem, "entry 5: the leaf body does not hash to its stored leaf hash (rewritten)")
        with self.assertRaises(CommandError) as ctx:
            call_command("verify_attestation_log")
        self.assertEqual(len(str(ctx.exception).splitlines()), 1)
        self.assertIn("entry 5", str(ctx.exception))

    def test_a_rewritten_body_with_its_leaf_hash_is_found_by_the_full_check(self):
        forged, _env = _entry(self.key, 1000)
        LogEntry.objects.filter(index=64).update(body=forged, leaf_hash=merkle.leaf_hash(forged).hex())
        self.assertIn("entry 64: the leaf does not match its envelope", verify_log().problem)

    def test_a_rewritten_inner_node_is_found_by_the_full_check(self):
        TreeNode.objects.filter(level=2, index=3).update(hash="00" * 32)  # not on the frontier of 70
        self.assertEqual(
            verify_log().problem, "tree node (2, 3) differs from the hash of the leaves under it (rewritten)"
        )

    def test_a_rewritten_frontier_node_is_refused_at_append(self):
        # 70 = 64 + 4 + 2: the frontier is (6, 0), (2, 16), (1, 34)
        self.assertEqual(tree.frontier(MAX), [(6, 0), (2, 16), (1, 34)])
        TreeNode.objects.filter(level=2, index=16).update(hash="11" * 32)
        self._refused_at_append()
        self.assertIsNotNone(verify_log().problem)

    def test_a_rewritten_top_node_is_refused_at_append(self):
        TreeNode.objects.filter(level=6, index=0).update(hash="22" * 32)
        self._refused_at_append()

    def test_a_removed_last_entry_is_refused_at_append(self):
        LogEntry.objects.filter(index=MAX - 1).delete()
        self._refused_at_append(MAX - 1)

    def test_a_forged_checkpoint_row_is_refused_at_append(self):
        Checkpoint.objects.filter(size=MAX).update(root="33" * 32)
        self._refused_at_append()

    def test_a_missing_node_is_refused_at_append(self):
        TreeNode.objects.filter(level=1, index=34).delete()
        self._refused_at_append()

    def test_a_node_past_the_tree_is_found_by_the_full_check(self):
        TreeNode.objects.create(level=3, index=40, hash="44" * 32)
        self.assertEqual(verify_log().problem, "tree node (3, 40) lies past the 70 entries")

    def test_appending_keeps_verifying(self):
        body, env = _entry(self.key, 2000)
        index, cp = self.dblog.append(body, env, self.key)
        self.assertEqual((index, cp.size), (MAX, MAX + 1))
        self.assertEqual(cp.root, merkle.root_hash([*self.leaves, merkle.leaf_hash(body)]))
        self.assertIsNone(verify_log().problem)


class BackfillMigrationTests(TransactionTestCase):
    """A log written before the tree was stored gets the leaf hashes and the nodes, giving the signed roots."""

    def test_existing_log_is_backfilled_to_the_same_roots(self):
        from django.db.migrations.executor import MigrationExecutor

        before = [("attestation", "0001_initial")]
        executor = MigrationExecutor(connection)
        self.addCleanup(lambda: MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes()))
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        OldEntry, OldCheckpoint = (
            old.get_model("attestation", "LogEntry"),
            old.get_model("attestation", "Checkpoint"),
        )
        key = att_services.platform_key()
        origin = att_services.DbLog(key).origin
        from appwarden.attest.log import sign_checkpoint

        leaves = []
        for n in range(45):
            body, env = _entry(key, n)
            OldEntry.objects.create(
                index=n, kind="revocation", apk_sha256="", payload_sha256="", body=body, envelope=env
            )
            leaves.append(merkle.leaf_hash(body))
            root = merkle.root_hash(leaves)
            OldCheckpoint.objects.create(
                size=n + 1, root=root.hex(), envelope=sign_checkpoint(key, origin, n + 1, root)
            )
        MigrationExecutor(connection).migrate([("attestation", "0002_tree_nodes")])
        dblog = att_services.DbLog(key)
        for size in range(1, 46):
            self.assertEqual(dblog.root(size), merkle.root_hash(leaves[:size]))
        self.assertEqual(dblog.consistency(11, 45), merkle.consistency_proof(leaves, 11))
        self.assertEqual(dblog.inclusion(44, 45), merkle.inclusion_proof(leaves, 44))
        self.assertEqual(
            TreeNode.objects.count(), 45 - bin(45).count("1")
        )  # n - popcount(n) complete inner nodes
        self.assertIsNone(verify_log(batch=10).problem)
        body, env = _entry(key, 45)
        self.assertEqual(
            dblog.append(body, env, key)[1].root, merkle.root_hash([*leaves, merkle.leaf_hash(body)])
        )


class PeriodicCheckTests(TestCase):
    """The full check is scheduled: daily in the embedded worker's tick and in Celery beat."""

    def test_the_embedded_worker_runs_it_daily_and_logs_a_problem(self):
        from appwarden.platform.attestation import logcheck
        from appwarden.platform.notifications import periodic

        key = att_services.platform_key()
        for n in range(3):
            att_services.DbLog(key).append(*_entry(key, n), key)
        LogEntry.objects.filter(index=1).update(body=_entry(key, 99)[0])
        periodic._last["tlog"] = 0.0
        with self.assertLogs(logcheck.log, "ERROR") as logs:
            periodic._tlog_verify()
        self.assertIn("entry 1: the leaf body does not hash", logs.output[0])
        with self.assertNoLogs(logcheck.log, "ERROR"):
            periodic._tlog_verify()  # within the day: not again

    def test_celery_beat_schedules_the_task(self):
        from appwarden.platform.attestation.tasks import attest_log_verify_task
        from appwarden.platform.celery_app import app

        self.assertEqual(app.conf.beat_schedule["attest-log-verify"]["task"], attest_log_verify_task.name)
        self.assertEqual(attest_log_verify_task.run(), "ok")
