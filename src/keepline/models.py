"""Every capability's tables, imported so Alembic and the tests see one metadata."""

from keepline.audit import models as audit_models  # noqa: F401
from keepline.plant import models as plant_models  # noqa: F401
