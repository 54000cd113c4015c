//! Certification (认证认可, C9): the bodies approved to certify (认证机构, with their CNCA approval number, USCC,
//! accreditation and the product classes they may certify), certificates — compulsory product certification
//! (CCC, 强制性产品认证) with its number format checked, and voluntary product, management-system and service
//! certificates — and the statuses a certificate passes through, each change with a reason code, as the CCC rules
//! allow them (强制性产品认证管理规定, SAMR Order 61 of 2022, Arts. 25–29: suspension, withdrawal, cancellation).
//! No IO: the store keeps bodies, certificates and their history; this room reads and checks them.

mod body;
mod certificate;
mod number;
mod status;

pub use body::{Body, BodyFields};
pub use certificate::{Certificate, CertificateFields, MAX_LIST_ITEMS};
pub use number::{CccNumber, CertificateNumber, NumberError};
pub use rulekit::fields::FieldError;
pub(crate) use rulekit::fields::{day, fault, given, present, term, text};
pub use status::{change, standing, status_on, ChangeFields, ChangeRequest, StatusChange};

rulekit::text_enum! {
    /// The kind of certification.
    pub enum Scheme ("certification scheme") {
        Ccc = "ccc" ("强制性产品认证", "compulsory product certification (CCC)"),
        VoluntaryProduct = "voluntary_product" ("自愿性产品认证", "voluntary product certification"),
        ManagementSystem = "management_system" ("管理体系认证", "management-system certification"),
        Service = "service" ("服务认证", "service certification"),
    }
}

impl Scheme {
    /// Whether a certificate of this scheme certifies a product, and so names a product class of the catalogue.
    pub fn certifies_products(self) -> bool {
        matches!(self, Scheme::Ccc | Scheme::VoluntaryProduct)
    }
}

rulekit::text_enum! {
    /// Where a certificate stands.
    pub enum Status ("certificate status") {
        Valid = "valid" ("有效", "valid"),
        Suspended = "suspended" ("暂停", "suspended"),
        Withdrawn = "withdrawn" ("撤销", "withdrawn"),
        Cancelled = "cancelled" ("注销", "cancelled"),
        Expired = "expired" ("过期失效", "expired"),
    }
}

rulekit::text_enum! {
    /// Why a certificate's status changed.
    pub enum Reason ("certificate status reason") {
        Issued = "issued" ("颁发证书", "issued"),
        Restored = "restored" ("暂停后恢复", "restored after suspension"),
        SamplingFailed = "sampling_failed" ("监督抽查不合格", "failed supervision sampling"),
        FactoryInspectionFailed = "factory_inspection_failed" ("工厂检查不通过", "failed the factory inspection"),
        AuditFailed = "audit_failed" ("监督审核不通过", "failed the surveillance audit"),
        NonconformingProduct = "nonconforming_product" ("产品不符合认证要求", "the product does not conform"),
        StandardChanged = "standard_changed" ("认证依据标准变更未完成转换", "the standard changed and was not transitioned"),
        MisuseOfMark = "misuse_of_mark" ("违规使用证书或认证标志", "misuse of the certificate or the mark"),
        HolderRequest = "holder_request" ("持证人申请", "at the holder's request"),
        ProductDiscontinued = "product_discontinued" ("产品不再生产", "the product is no longer made"),
        SuspensionUncorrected = "suspension_uncorrected" ("暂停期限内未整改", "not corrected within the suspension"),
        Deception = "deception" ("以欺骗等不正当手段获得证书", "obtained by deception"),
        ReachedExpiry = "reached_expiry" ("有效期届满未换证", "reached its expiry without renewal"),
    }
}

rulekit::text_enum! {
    /// Whether a body may certify.
    pub enum BodyStatus ("certification body status") {
        Approved = "approved" ("批准", "approved"),
        Suspended = "suspended" ("暂停", "suspended"),
        Revoked = "revoked" ("撤销批准", "approval revoked"),
    }
}

/// A list cell as files write it: items separated by `;` (or `；`, `,`, `、`), each trimmed, empties dropped.
pub(crate) fn list(value: Option<String>) -> Vec<String> {
    given(value)
        .map(|v| v.split([';', '；', ',', '、']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

pub(crate) fn uscc(field: &'static str, text: &str) -> Result<codes::Uscc, FieldError> {
    text.parse::<codes::Uscc>().map_err(|e| fault(field, format!("'{text}': {e}")))
}
