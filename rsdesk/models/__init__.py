"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from rsdesk.models.advice import AdviceRequest
from rsdesk.models.appraisal import Appraisal
from rsdesk.models.asset import (
    AccessGrant,
    AssetSafeguard,
    AssetTechnology,
    CollaborationAsset,
    SensitiveAsset,
)
from rsdesk.models.audit import AuditEntry, AuditHead
from rsdesk.models.base import Base, utcnow
from rsdesk.models.collaboration import (
    Attachment,
    Collaboration,
    CollaborationPartner,
    CollaborationTechnology,
)
from rsdesk.models.mitigation import MitigationMeasure
from rsdesk.models.onboarding import OnboardingCheck
from rsdesk.models.partner import Partner, PartnerName
from rsdesk.models.reference import Department, DualUseCategory, TechnologyArea
from rsdesk.models.report import ArchivedReport
from rsdesk.models.screening import ScreeningEntry, ScreeningList, ScreeningResult
from rsdesk.models.setting import Setting
from rsdesk.models.staff import StaffMember
from rsdesk.models.training import TrainingCourse, TrainingRecord

__all__ = [
    "AccessGrant",
    "AdviceRequest",
    "Appraisal",
    "ArchivedReport",
    "AssetSafeguard",
    "AssetTechnology",
    "Attachment",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Collaboration",
    "CollaborationAsset",
    "CollaborationPartner",
    "CollaborationTechnology",
    "Department",
    "DualUseCategory",
    "MitigationMeasure",
    "OnboardingCheck",
    "Partner",
    "PartnerName",
    "ScreeningEntry",
    "ScreeningList",
    "ScreeningResult",
    "SensitiveAsset",
    "Setting",
    "StaffMember",
    "TechnologyArea",
    "TrainingCourse",
    "TrainingRecord",
    "utcnow",
]
