"""The company portal (issue #21.3): published 通报 about the company's own apps, complaints forwarded to it, and the
official documents (责令整改通知书 / 投诉转办单 PDFs). Not a Django app: it has no models; complaint forwarding lives
in ``complaints``, self-assessments in ``selfcheck``."""
