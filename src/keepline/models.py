"""Every capability's tables, imported so Alembic and the tests see one metadata."""

from keepline.accounts import models as accounts_models  # noqa: F401
from keepline.audit import models as audit_models  # noqa: F401
from keepline.console import models as console_models  # noqa: F401
from keepline.containment import models as containment_models  # noqa: F401
from keepline.difficulties import models as difficulties_models  # noqa: F401
from keepline.government import models as government_models  # noqa: F401
from keepline.health import models as health_models  # noqa: F401
from keepline.jobs import models as jobs_models  # noqa: F401
from keepline.logistics import models as logistics_models  # noqa: F401
from keepline.materials import models as materials_models  # noqa: F401
from keepline.people import models as people_models  # noqa: F401
from keepline.plans import models as plans_models  # noqa: F401
from keepline.plant import models as plant_models  # noqa: F401
from keepline.production import models as production_models  # noqa: F401
from keepline.retention import models as retention_models  # noqa: F401
from keepline.screening import models as screening_models  # noqa: F401
