"""The care app's models, one module per part (each imported here so Django finds them)."""

from .models_checklists import (  # noqa: E402,F401
    ChatSession,
    ChecklistItem,
    ChecklistTick,
    Introduction,
    IntroductionSetup,
)
from .models_journals import (  # noqa: E402, F401
    JournalComment,
    NextStep,
    Observation,
    ObservationChild,
    ObservationPhoto,
    ObservationVersion,
    WowMoment,
)
from .models_monitoring import MonitoringFinding, MonitoringItem, MonitoringSample  # noqa: E402, F401
from .models_plans import (  # noqa: E402, F401
    CarePlan,
    CarePlanComment,
    CarePlanReview,
    CarePlanSetup,
    CarePlanVersion,
)
