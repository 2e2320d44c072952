"""Self-assessment (自评估, issue #21.3): a company scans its own APK before submission. The scan runs through the
platform's queue and scan sandbox but is not a test: no scan job, no app/version registration, no findings rows, so
it never reaches batches, dashboards, rankings, repeat offenders, notices or the review queue."""
