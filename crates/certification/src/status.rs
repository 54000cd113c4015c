//! A certificate's statuses and the changes between them. Under the CCC rules (SAMR Order 61, Arts. 25–29) a
//! body suspends a certificate (暂停) while a fault can be corrected, restores it when corrected, withdraws it
//! (撤销) for a fault that cannot be or was not corrected, and cancels it (注销) at the holder's request or when
//! the product is no longer made or its standard changed; one that reaches its expiry without renewal lapses.
//! Withdrawn, cancelled and expired are final: a new certificate is a new number.

use chrono::NaiveDate;
use rulekit::Refusal;
use serde::{Deserialize, Serialize};

use crate::{day, given, present, term, text, FieldError, Reason, Status};

/// A change of a certificate's status, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub from: Option<Status>,
    pub to: Status,
    pub reason: Reason,
    pub on: NaiveDate,
    pub note: Option<String>,
}

/// The reasons each change allows; an empty list means the change is not allowed.
fn reasons(from: Status, to: Status) -> &'static [Reason] {
    use Reason::*;
    match (from, to) {
        (Status::Valid, Status::Suspended) => &[
            SamplingFailed,
            FactoryInspectionFailed,
            AuditFailed,
            NonconformingProduct,
            StandardChanged,
            MisuseOfMark,
            HolderRequest,
        ],
        (Status::Suspended, Status::Valid) => &[Restored],
        (Status::Valid | Status::Suspended, Status::Withdrawn) => &[
            SuspensionUncorrected,
            Deception,
            NonconformingProduct,
            MisuseOfMark,
            SamplingFailed,
            FactoryInspectionFailed,
            AuditFailed,
        ],
        (Status::Valid | Status::Suspended, Status::Cancelled) => {
            &[HolderRequest, ProductDiscontinued, StandardChanged]
        }
        (Status::Valid | Status::Suspended, Status::Expired) => &[ReachedExpiry],
        _ => &[],
    }
}

/// Whether a certificate in `from` may go to `to` for `reason`.
pub fn change(from: Status, to: Status, reason: Reason) -> Result<(), Refusal> {
    let allowed = reasons(from, to);
    if allowed.is_empty() {
        return Err(Refusal::WrongState(format!(
            "a {} certificate cannot become {}{}",
            from.as_str(),
            to.as_str(),
            if matches!(from, Status::Withdrawn | Status::Cancelled | Status::Expired) {
                ": the status is final; a new certificate has a new number"
            } else {
                ""
            }
        )));
    }
    if !allowed.contains(&reason) {
        let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
        return Err(Refusal::Invalid(format!(
            "{} is not a reason to make a {} certificate {}; the reasons are {}",
            reason.as_str(),
            from.as_str(),
            to.as_str(),
            names.join(", ")
        )));
    }
    Ok(())
}

/// What a stored status means on `day`: a valid or suspended certificate past its expiry has lapsed.
pub fn standing(status: Status, expires_on: NaiveDate, day: NaiveDate) -> Status {
    match status {
        Status::Valid | Status::Suspended if day > expires_on => Status::Expired,
        status => status,
    }
}

/// A certificate's status on a past day from its history (each change's day and status, oldest first, the issue
/// first) and its term; none before it was issued.
pub fn status_on(
    history: &[(NaiveDate, Status)],
    issued_on: NaiveDate,
    expires_on: NaiveDate,
    day: NaiveDate,
) -> Option<Status> {
    if day < issued_on {
        return None;
    }
    let recorded = history.iter().take_while(|(on, _)| *on <= day).last().map_or(Status::Valid, |(_, s)| *s);
    Some(standing(recorded, expires_on, day))
}

/// A status change as a body sends it (a CSV row or a JSON object).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CertificateStatusInput)]
pub struct ChangeFields {
    /// Required: the certificate's number.
    #[schema(max_length = 40)]
    pub number: Option<String>,
    /// Required: valid (restored), suspended, withdrawn, cancelled or expired.
    #[schema(max_length = 20)]
    pub status: Option<String>,
    /// Required: the reason code (e.g. sampling_failed, restored, holder_request).
    #[schema(max_length = 30)]
    pub reason: Option<String>,
    /// Required: the day it took effect.
    #[schema(format = Date)]
    pub on: Option<String>,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// A status change read from its fields, for the certificate `number` (as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequest {
    pub number: String,
    pub to: Status,
    pub reason: Reason,
    pub on: NaiveDate,
    pub note: Option<String>,
}

impl ChangeFields {
    /// Reads the fields; whether the certificate's history allows the change is [`change`]'s question.
    pub fn check(self) -> Result<ChangeRequest, FieldError> {
        let number = text("number", present("number", self.number)?, crate::number::MAX_NUMBER_CHARS)?;
        let to = term::<Status>("status", &present("status", self.status)?)?;
        let reason = term::<Reason>("reason", &present("reason", self.reason)?)?;
        let on = day("on", &present("on", self.on)?)?;
        let note = given(self.note).map(|n| text("note", n, 500)).transpose()?;
        Ok(ChangeRequest { number, to, reason, on, note })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_suspended_restored_or_ended_for_the_reasons_the_rules_give() {
        change(Status::Valid, Status::Suspended, Reason::SamplingFailed).unwrap();
        change(Status::Suspended, Status::Valid, Reason::Restored).unwrap();
        change(Status::Suspended, Status::Withdrawn, Reason::SuspensionUncorrected).unwrap();
        change(Status::Valid, Status::Cancelled, Reason::HolderRequest).unwrap();
        assert!(
            matches!(change(Status::Withdrawn, Status::Valid, Reason::Restored), Err(Refusal::WrongState(m)) if m.contains("final"))
        );
        assert!(matches!(change(Status::Valid, Status::Valid, Reason::Restored), Err(Refusal::WrongState(_))));
        assert!(
            matches!(change(Status::Valid, Status::Suspended, Reason::Restored), Err(Refusal::Invalid(m)) if m.contains("sampling_failed"))
        );
        assert!(matches!(
            change(Status::Expired, Status::Suspended, Reason::SamplingFailed),
            Err(Refusal::WrongState(_))
        ));
    }

    #[test]
    fn a_certificate_past_its_expiry_reads_as_expired() {
        let end = NaiveDate::from_ymd_opt(2029, 2, 28).unwrap();
        let after = NaiveDate::from_ymd_opt(2029, 3, 1).unwrap();
        assert_eq!(standing(Status::Valid, end, end), Status::Valid);
        assert_eq!(standing(Status::Suspended, end, after), Status::Expired);
        assert_eq!(standing(Status::Withdrawn, end, after), Status::Withdrawn);
        let issued = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let suspended = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let history = [(issued, Status::Valid), (suspended, Status::Suspended)];
        assert_eq!(status_on(&history, issued, end, suspended.pred_opt().unwrap()), Some(Status::Valid));
        assert_eq!(status_on(&history, issued, end, suspended), Some(Status::Suspended));
        assert_eq!(status_on(&history, issued, end, after), Some(Status::Expired));
        assert_eq!(status_on(&history, issued, end, issued.pred_opt().unwrap()), None);
    }

    #[test]
    fn a_change_that_does_not_read_names_its_field() {
        let fields = ChangeFields {
            number: Some("2024010601000123".into()),
            status: Some("暂停".into()),
            reason: Some("sampling_failed".into()),
            on: Some("2025-06-01".into()),
            note: None,
        };
        assert_eq!(fields.clone().check().unwrap().to, Status::Suspended);
        assert_eq!(
            ChangeFields { status: Some("paused".into()), ..fields.clone() }.check().unwrap_err().field,
            "status"
        );
        assert_eq!(
            ChangeFields { reason: Some("fraud".into()), ..fields.clone() }.check().unwrap_err().field,
            "reason"
        );
        assert_eq!(ChangeFields { on: None, ..fields }.check().unwrap_err().field, "on");
    }
}
