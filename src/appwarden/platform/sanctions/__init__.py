"""Sanctions and credit (惩戒与信用, issue #21.6): 停止接入 / 行政处罚 / 信用管理 measures per company with an
append-only history."""
