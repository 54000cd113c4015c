//! The rules of supervision sampling (产品质量监督抽查): the states of a campaign and of a sample
//! ([`CampaignStatus`], [`SampleStatus`], [`Verdict`]), what each step needs and allows, the re-test window as
//! data (`data/sampling_deadlines.json`), when a campaign may publish, and the follow-up of a published failure.
//! No IO: the server authorises and stores what these functions decide.

pub mod draw;

use std::sync::OnceLock;

use chrono::NaiveDate;
use rulekit::{DeadlineError, Term};

rulekit::text_enum! {
    /// Where a campaign stands.
    pub enum CampaignStatus ("campaign status") {
        Planned = "planned" ("计划中", "planned"),
        Sampling = "sampling" ("抽样中", "sampling"),
        Published = "published" ("已公布", "published"),
    }
}

rulekit::text_enum! {
    /// The level of government a campaign is run by.
    pub enum Level ("campaign level") {
        National = "national" ("国家", "National"),
        Provincial = "provincial" ("省级", "Provincial"),
        City = "city" ("市级", "City"),
        County = "county" ("县级", "County"),
    }
}

impl Level {
    /// The jurisdiction of a campaign of this level over a six-digit region code: `000000` nationally, else the
    /// code cut to the level (`330000` for a province, `330100` for a city).
    pub fn jurisdiction(self, region_code: &str) -> String {
        let kept = match self {
            Level::National => 0,
            Level::Provincial => 2,
            Level::City => 4,
            Level::County => 6,
        };
        let kept = kept.min(region_code.len());
        format!("{:0<6}", &region_code[..kept])
    }
}

rulekit::text_enum! {
    /// Where a sample stands.
    pub enum SampleStatus ("sample status") {
        Sampled = "sampled" ("已抽样", "sampled"),
        Tested = "tested" ("已检验", "tested"),
        Notified = "notified" ("已告知结果", "result notified"),
        RetestRequested = "retest_requested" ("已申请复检", "re-test requested"),
        Retested = "retested" ("已复检", "re-tested"),
        Published = "published" ("已公布", "published"),
    }
}

rulekit::text_enum! {
    /// A sample's or a test item's verdict; `pending` until the lab records a result.
    pub enum Verdict ("verdict") {
        Pending = "pending" ("待检", "Pending"),
        Pass = "pass" ("合格", "Pass"),
        Fail = "fail" ("不合格", "Fail"),
    }
}

rulekit::text_enum! {
    /// The events of a sample's history.
    pub enum EventKind ("sample event") {
        Sampled = "sampled" ("抽样", "sampled"),
        ResultRecorded = "result_recorded" ("检验结果", "result recorded"),
        RetestResult = "retest_result" ("复检结果", "re-test result"),
        Notified = "notified" ("告知结果", "result notified"),
        RetestRequested = "retest_requested" ("申请复检", "re-test requested"),
        Published = "published" ("公布", "published"),
        InspectionFailed = "inspection_failed" ("公布不合格", "failure published"),
        RectificationOrdered = "rectification_ordered" ("责令整改", "rectification ordered"),
        Reinspected = "reinspected" ("复查", "re-inspected"),
        PenaltyReferred = "penalty_referred" ("移送处罚", "referred for penalty"),
        /// Found at publication: the product needs a production licence or a CCC certificate that the producer
        /// did not hold on the sampling day — a case for the regulator, opened by itself.
        RegimeBreach = "regime_breach" ("无有效许可证或认证证书", "made without a valid licence or certificate"),
    }
}

rulekit::text_enum! {
    /// The follow-up (后处理) of a published failure.
    pub enum FollowUp ("follow-up") {
        RectificationOrder = "rectification_order" ("责令整改", "rectification order"),
        Reinspection = "reinspection" ("复查", "re-inspection"),
        PenaltyReferral = "penalty_referral" ("移送处罚", "penalty referral"),
    }
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The sample's state does not allow the step now.
    #[error("{0}")]
    WrongState(String),
    /// A field is missing or does not fit.
    #[error("{0}")]
    Invalid(String),
    /// The campaign no longer takes samples.
    #[error("{0}")]
    CampaignClosed(String),
    /// Only a failed sample has follow-up.
    #[error("{0}")]
    NotAFailure(String),
    /// The re-test window has closed.
    #[error("the re-test window closed on {0}")]
    RetestWindowClosed(NaiveDate),
    /// Samples stand in the way of publication, each with its state.
    #[error("not every sample is notified and past its re-test window: {}", .0.join(", "))]
    NotReady(Vec<String>),
}

/// The deadline table.
#[derive(Debug, Clone)]
pub struct Rules {
    pub version: String,
    pub retest_request_by: Term,
}

const SHIPPED: &str = include_str!("../data/sampling_deadlines.json");

impl Rules {
    /// Reads and checks a table.
    pub fn read(text: &str) -> Result<Rules, DeadlineError> {
        let (version, mut terms) = rulekit::deadline::read_table(text, &["retest_request_by"])?;
        let retest_request_by = terms.remove("retest_request_by").expect("read_table checked the names");
        Ok(Rules { version, retest_request_by })
    }
}

/// Checks the shipped table; the server calls this at start-up.
pub fn check_shipped() -> Result<(), DeadlineError> {
    Rules::read(SHIPPED).map(|_| ())
}

/// The shipped table.
pub fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::read(SHIPPED).expect("sampling_deadlines.json is checked at start-up"))
}

impl CampaignStatus {
    /// Whether a campaign in this state still takes samples.
    pub fn takes_samples(self) -> bool {
        matches!(self, CampaignStatus::Planned | CampaignStatus::Sampling)
    }
}

/// Refuses a sample for a campaign that no longer takes them.
pub fn takes_samples(campaign: &str, status: CampaignStatus) -> Result<(), Refusal> {
    if status.takes_samples() {
        return Ok(());
    }
    Err(Refusal::CampaignClosed(format!("campaign {campaign} is {status}, not sampling")))
}

impl SampleStatus {
    /// Whether the lab records a result now: after sampling, and after a re-test request.
    pub fn expects_result(self) -> bool {
        matches!(self, SampleStatus::Sampled | SampleStatus::RetestRequested)
    }

    /// Whether a result waits to be told to the enterprise.
    pub fn has_result_to_notify(self) -> bool {
        matches!(self, SampleStatus::Tested | SampleStatus::Retested)
    }
}

/// What recording a result does: the round (1, or 2 for the re-test), the state after and the event.
pub fn result_round(sample: &str, status: SampleStatus) -> Result<(i64, SampleStatus, EventKind), Refusal> {
    match status {
        SampleStatus::Sampled => Ok((1, SampleStatus::Tested, EventKind::ResultRecorded)),
        SampleStatus::RetestRequested => Ok((2, SampleStatus::Retested, EventKind::RetestResult)),
        other => Err(Refusal::WrongState(format!("sample {sample} is {other}: no result is expected"))),
    }
}

/// A result's verdict: fail when any item failed.
pub fn overall_verdict(items: impl IntoIterator<Item = Verdict>) -> Verdict {
    if items.into_iter().any(|v| v == Verdict::Fail) {
        Verdict::Fail
    } else {
        Verdict::Pass
    }
}

/// Telling the enterprise the result: allowed once tested; a first failure opens the re-test window, whose
/// end is returned. A re-test result is final.
pub fn notice(
    sample: &str,
    status: SampleStatus,
    verdict: Verdict,
    notified_on: NaiveDate,
    calendar: &calendar::Calendar,
) -> Result<Option<NaiveDate>, Refusal> {
    match status {
        SampleStatus::Tested if verdict == Verdict::Fail => {
            Ok(Some(rules().retest_request_by.due(calendar, notified_on).date))
        }
        status if status.has_result_to_notify() => Ok(None),
        other => Err(Refusal::WrongState(format!("sample {sample} is {other}: there is no result to notify"))),
    }
}

/// The end of a sample's open re-test window: only a failed, notified result has one.
pub fn open_retest_window(
    sample: &str,
    status: SampleStatus,
    verdict: Verdict,
    window_ends: Option<NaiveDate>,
) -> Result<NaiveDate, Refusal> {
    match (status, verdict, window_ends) {
        (SampleStatus::Notified, Verdict::Fail, Some(end)) => Ok(end),
        _ => Err(Refusal::WrongState(format!("sample {sample} has no failed, notified result open to re-test"))),
    }
}

/// The enterprise's request for a re-test: only of a failed, notified result, within its window.
pub fn retest_request(
    sample: &str,
    status: SampleStatus,
    verdict: Verdict,
    window_ends: Option<NaiveDate>,
    requested_on: NaiveDate,
) -> Result<(), Refusal> {
    let end = open_retest_window(sample, status, verdict, window_ends)?;
    if requested_on > end {
        return Err(Refusal::RetestWindowClosed(end));
    }
    Ok(())
}

/// Whether a sample stands in the way of publishing on `published_on`: every sample must be published already,
/// or notified with its re-test window (if any) past.
pub fn blocks_publication(status: SampleStatus, window_ends: Option<NaiveDate>, published_on: NaiveDate) -> bool {
    match status {
        SampleStatus::Published => false,
        SampleStatus::Notified => window_ends.is_some_and(|end| published_on <= end),
        _ => true,
    }
}

/// Whether a sample takes follow-up now: only a published failure does.
pub fn may_follow_up(sample: &str, status: SampleStatus, verdict: Verdict) -> Result<(), Refusal> {
    if verdict == Verdict::Pass {
        return Err(Refusal::NotAFailure(format!("sample {sample} passed: it has no follow-up")));
    }
    if !(status == SampleStatus::Published && verdict == Verdict::Fail) {
        return Err(Refusal::WrongState(format!("sample {sample} is not a published failure")));
    }
    Ok(())
}

/// The follow-up step's event, due day and details, for a published failure.
pub fn follow_up(
    sample: &str,
    status: SampleStatus,
    verdict: Verdict,
    step: FollowUp,
    on: NaiveDate,
    due_on: Option<NaiveDate>,
    reinspection_verdict: Option<Verdict>,
) -> Result<(EventKind, Option<NaiveDate>, Option<Verdict>), Refusal> {
    may_follow_up(sample, status, verdict)?;
    match step {
        FollowUp::RectificationOrder => {
            let due = due_on.ok_or_else(|| Refusal::Invalid("due_on is required".into()))?;
            if due <= on {
                return Err(Refusal::Invalid("due_on must be after on_date".into()));
            }
            Ok((EventKind::RectificationOrdered, Some(due), None))
        }
        FollowUp::Reinspection => match reinspection_verdict {
            Some(verdict @ (Verdict::Pass | Verdict::Fail)) => Ok((EventKind::Reinspected, None, Some(verdict))),
            Some(Verdict::Pending) => Err(Refusal::Invalid("verdict 'pending' is not pass or fail".into())),
            None => Err(Refusal::Invalid("verdict is required".into())),
        },
        FollowUp::PenaltyReferral => Ok((EventKind::PenaltyReferred, None, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_campaign_covers_its_level_of_the_region() {
        assert_eq!(Level::National.jurisdiction("330106"), "000000");
        assert_eq!(Level::Provincial.jurisdiction("330106"), "330000");
        assert_eq!(Level::City.jurisdiction("330106"), "330100");
        assert_eq!(Level::County.jurisdiction("330106"), "330106");
    }

    #[test]
    fn the_shipped_window_is_fifteen_calendar_days() {
        check_shipped().unwrap();
        assert_eq!(rules().retest_request_by.period, rulekit::Period::CalendarDays(15));
    }

    #[test]
    fn results_are_expected_after_sampling_and_after_a_re_test_request_only() {
        for status in SampleStatus::ALL {
            let expected = match status {
                SampleStatus::Sampled => Some((1, SampleStatus::Tested)),
                SampleStatus::RetestRequested => Some((2, SampleStatus::Retested)),
                _ => None,
            };
            let got = result_round("S1", *status).ok().map(|(round, after, _)| (round, after));
            assert_eq!(got, expected, "{status}");
        }
        assert_eq!(overall_verdict([Verdict::Pass, Verdict::Fail]), Verdict::Fail);
        assert_eq!(overall_verdict([Verdict::Pass]), Verdict::Pass);
    }

    #[test]
    fn a_first_failure_opens_the_window_and_a_re_test_does_not() {
        let calendar = calendar::Calendar::from_schedules([]);
        let notified = day("2025-06-01");
        let cases = [
            (SampleStatus::Tested, Verdict::Fail, Ok(Some(day("2025-06-16")))),
            (SampleStatus::Tested, Verdict::Pass, Ok(None)),
            (SampleStatus::Retested, Verdict::Fail, Ok(None)),
        ];
        for (status, verdict, expected) in cases {
            assert_eq!(notice("S1", status, verdict, notified, &calendar), expected, "{status} {verdict}");
        }
        for status in
            [SampleStatus::Sampled, SampleStatus::Notified, SampleStatus::RetestRequested, SampleStatus::Published]
        {
            assert!(matches!(notice("S1", status, Verdict::Fail, notified, &calendar), Err(Refusal::WrongState(_))));
        }
    }

    #[test]
    fn a_re_test_is_asked_within_the_window_of_a_notified_failure() {
        let end = Some(day("2025-06-16"));
        assert_eq!(retest_request("S1", SampleStatus::Notified, Verdict::Fail, end, day("2025-06-16")), Ok(()));
        assert_eq!(
            retest_request("S1", SampleStatus::Notified, Verdict::Fail, end, day("2025-06-17")),
            Err(Refusal::RetestWindowClosed(day("2025-06-16")))
        );
        for (status, verdict, window) in [
            (SampleStatus::Notified, Verdict::Pass, None),
            (SampleStatus::Tested, Verdict::Fail, None),
            (SampleStatus::Retested, Verdict::Fail, end),
            (SampleStatus::Published, Verdict::Fail, end),
        ] {
            let refused = retest_request("S1", status, verdict, window, day("2025-06-10"));
            assert!(matches!(refused, Err(Refusal::WrongState(_))), "{status} {verdict}");
        }
    }

    #[test]
    fn publication_waits_for_every_notice_and_window() {
        let on = day("2025-07-01");
        let cases = [
            (SampleStatus::Published, None, false),
            (SampleStatus::Notified, None, false),
            (SampleStatus::Notified, Some(day("2025-06-30")), false),
            (SampleStatus::Notified, Some(day("2025-07-01")), true),
            (SampleStatus::Tested, None, true),
            (SampleStatus::Sampled, None, true),
            (SampleStatus::RetestRequested, None, true),
            (SampleStatus::Retested, None, true),
        ];
        for (status, window, blocks) in cases {
            assert_eq!(blocks_publication(status, window, on), blocks, "{status} {window:?}");
        }
    }

    #[test]
    fn follow_up_is_for_published_failures_with_its_fields() {
        let on = day("2025-08-10");
        let published = SampleStatus::Published;
        assert!(matches!(
            follow_up("S1", published, Verdict::Pass, FollowUp::PenaltyReferral, on, None, None),
            Err(Refusal::NotAFailure(_))
        ));
        assert!(matches!(
            follow_up("S1", SampleStatus::Notified, Verdict::Fail, FollowUp::PenaltyReferral, on, None, None),
            Err(Refusal::WrongState(_))
        ));
        let order = |due| follow_up("S1", published, Verdict::Fail, FollowUp::RectificationOrder, on, due, None);
        assert!(matches!(order(None), Err(Refusal::Invalid(_))));
        assert!(matches!(order(Some(on)), Err(Refusal::Invalid(_))));
        assert_eq!(
            order(Some(day("2025-09-10"))),
            Ok((EventKind::RectificationOrdered, Some(day("2025-09-10")), None))
        );
        let reinspect = |v| follow_up("S1", published, Verdict::Fail, FollowUp::Reinspection, on, None, v);
        assert_eq!(reinspect(Some(Verdict::Pass)), Ok((EventKind::Reinspected, None, Some(Verdict::Pass))));
        assert!(matches!(reinspect(None), Err(Refusal::Invalid(_))));
        assert!(matches!(reinspect(Some(Verdict::Pending)), Err(Refusal::Invalid(_))));
    }

    #[test]
    fn a_published_campaign_takes_no_samples() {
        assert!(takes_samples("C", CampaignStatus::Planned).is_ok());
        assert!(takes_samples("C", CampaignStatus::Sampling).is_ok());
        assert!(matches!(takes_samples("C", CampaignStatus::Published), Err(Refusal::CampaignClosed(_))));
    }
}
