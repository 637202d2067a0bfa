"""Closed vocabularies. Values are stored as text (with CHECK constraints) and never renamed."""

from __future__ import annotations

from enum import StrEnum


class PartnerKind(StrEnum):
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    COMPANY = "company"
    GOVERNMENT_BODY = "government_body"
    OTHER = "other"


class PartnerNameKind(StrEnum):
    ALIAS = "alias"
    NATIVE_SCRIPT = "native_script"
    FORMER = "former"
    ABBREVIATION = "abbreviation"


class CollaborationKind(StrEnum):
    JOINT_RESEARCH = "joint_research"
    CONTRACT_RESEARCH = "contract_research"
    FRAMEWORK_AGREEMENT = "framework_agreement"
    EXCHANGE = "exchange"
    VISITING_RESEARCHER = "visiting_researcher"
    JOINT_DEGREE = "joint_degree"
    DATA_SHARING = "data_sharing"
    FACILITY_ACCESS = "facility_access"
    FUNDING_RECEIVED = "funding_received"
    FUNDING_APPLICATION = "funding_application"


class CollaborationStatus(StrEnum):
    PROPOSED = "proposed"
    UNDER_APPRAISAL = "under_appraisal"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"
    ACTIVE = "active"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


class AppraisalStatus(StrEnum):
    DRAFT = "draft"
    SIGNED_OFF = "signed_off"


class AppraisalDecision(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    REJECT = "reject"
    ESCALATE = "escalate"


class AnsweredBy(StrEnum):
    OFFICER = "officer"
    RESEARCHER = "researcher"


class MeasureStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class RoleCategory(StrEnum):
    PROFESSOR = "professor"
    RESEARCHER = "researcher"
    POSTDOC = "postdoc"
    PHD_CANDIDATE = "phd_candidate"
    VISITING_RESEARCHER = "visiting_researcher"
    TECHNICIAN = "technician"
    RESEARCH_SUPPORT = "research_support"
    MANAGER = "manager"
    ADMINISTRATIVE = "administrative"
    STUDENT_ASSISTANT = "student_assistant"


class CheckStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"


class ScreeningVerdict(StrEnum):
    PENDING = "pending"
    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"


class AssetKind(StrEnum):
    LAB = "lab"
    FACILITY = "facility"
    EQUIPMENT = "equipment"
    DATASET = "dataset"
    SOFTWARE = "software"
    KNOW_HOW = "know_how"


class SafeguardStatus(StrEnum):
    PLANNED = "planned"
    IN_PLACE = "in_place"
    VERIFIED = "verified"


class AuditAction(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    ANONYMISE = "anonymise"
