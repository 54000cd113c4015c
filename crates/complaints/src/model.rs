//! The vocabularies of complaint handling, each value with its stored text and its Chinese and English names.

rulekit::text_enum! {
    /// The kinds of filing (Art 7: a filing with both is split in two).
    pub enum Kind ("kind of filing") {
        Complaint = "complaint" ("投诉", "complaint"),
        Report = "report" ("举报", "report"),
        Enquiry = "enquiry" ("咨询", "enquiry"),
    }
}

rulekit::text_enum! {
    /// Where a filing stands.
    pub enum Status ("complaint status") {
        Pending = "pending" ("待受理", "awaiting decision"),
        Accepted = "accepted" ("已受理", "accepted"),
        Mediating = "mediating" ("调解中", "in mediation"),
        Suspended = "suspended" ("中止（检测鉴定中）", "suspended (testing)"),
        Terminated = "terminated" ("终止调解", "mediation ended"),
        Decided = "decided" ("已作出处理决定", "decided"),
        Closed = "closed" ("办结", "closed"),
    }
}

rulekit::text_enum! {
    /// How a filing ended.
    pub enum Outcome ("complaint outcome") {
        MediatedSettlement = "mediated_settlement" ("调解成功", "settled in mediation"),
        EnterpriseSettlement = "enterprise_settlement" ("企业和解", "settled with the enterprise"),
        Terminated = "terminated" ("终止调解", "mediation ended"),
        NotAccepted = "not_accepted" ("不予受理", "not accepted"),
        Withdrawn = "withdrawn" ("撤回", "withdrawn"),
        CaseOpened = "case_opened" ("立案", "case opened"),
        NoCase = "no_case" ("不予立案", "no case"),
        Answered = "answered" ("已答复", "answered"),
    }
}

rulekit::text_enum! {
    /// The deadline a filing has running.
    pub enum DueKind ("complaint deadline") {
        AcceptBy = "accept_by" ("受理期限", "decide on acceptance by"),
        MediationBy = "mediation_by" ("调解期限", "mediate by"),
        VerifyBy = "verify_by" ("核查期限", "verify by"),
        NotifyBy = "notify_by" ("告知期限", "notify by"),
        ReplyBy = "reply_by" ("答复期限", "reply by"),
    }
}

rulekit::text_enum! {
    /// Where a reporter's reward claim (有奖举报) stands.
    pub enum RewardStatus ("reward status") {
        Claimed = "claimed" ("已申请", "claimed"),
        Granted = "granted" ("已给予", "granted"),
        Refused = "refused" ("不予奖励", "refused"),
    }
}

rulekit::text_enum! {
    /// The steps of a filing's history.
    pub enum Stage ("complaint step") {
        Registered = "registered" ("登记", "registered"),
        Routed = "routed" ("分送", "routed"),
        Referred = "referred" ("移送", "referred"),
        Accepted = "accepted" ("受理", "accepted"),
        NotAccepted = "not_accepted" ("不予受理", "not accepted"),
        MediationStarted = "mediation_started" ("开始调解", "mediation started"),
        Suspended = "suspended" ("中止（检测鉴定）", "suspended for testing"),
        Resumed = "resumed" ("恢复调解", "resumed"),
        Settled = "settled" ("调解成功", "settled"),
        Terminated = "terminated" ("终止调解", "mediation ended"),
        PartiesNotified = "parties_notified" ("告知当事人", "parties notified"),
        VerificationExtended = "verification_extended" ("延长核查期限", "verification extended"),
        CaseOpened = "case_opened" ("立案", "case opened"),
        NoCase = "no_case" ("不予立案", "no case"),
        Answered = "answered" ("答复", "answered"),
        Classified = "classified" ("更正分类", "classification corrected"),
        Split = "split" ("转为举报", "split into a report"),
        SplitFrom = "split_from" ("由投诉转来", "split from a complaint"),
        EnterpriseResponse = "enterprise_response" ("企业答复", "enterprise answered"),
        EnterpriseSettlement = "enterprise_settlement" ("接受企业和解", "settlement accepted"),
        Withdrawn = "withdrawn" ("撤回", "withdrawn"),
        Evaluated = "evaluated" ("评价", "evaluated"),
        Imported = "imported" ("历史导入", "imported"),
        RewardClaimed = "reward_claimed" ("申请举报奖励", "reward claimed"),
        RewardGranted = "reward_granted" ("给予奖励", "reward granted"),
        RewardRefused = "reward_refused" ("不予奖励", "reward refused"),
        DeadlineMoved = "deadline_moved" ("期限按放假安排调整", "deadline moved by the holiday notice"),
    }
}

rulekit::text_enum! {
    /// Grounds for not accepting a complaint (Art 15), by their number.
    pub enum RefusalGround ("ground of Art 15") {
        Outside = "1" ("不属于本部门职责或管辖范围", "outside the department's duties or jurisdiction"),
        ElsewhereBefore = "2" ("已由法院、仲裁机构、其他行政机关或调解组织受理", "already before a court, arbitration, another agency or mediator"),
        NoConsumerDispute = "3" ("不是为生活消费需要或没有消费纠纷", "not for personal consumption, or no dispute shown"),
        OverThreeYears = "4" ("知道或应当知道权益受损之日起超过三年", "more than three years since the harm was known"),
        MaterialsMissing = "5" ("未提供必要材料", "required materials missing"),
        OtherInLaw = "6" ("法律、法规、规章规定不予受理的其他情形", "other grounds in law"),
    }
}

rulekit::text_enum! {
    /// Grounds for ending mediation (Art 21).
    pub enum TerminationGround ("ground of Art 21") {
        Withdrawn = "withdrawn" ("投诉人撤回投诉或双方自行和解", "withdrawn or settled by the parties"),
        NoTestingAgreement = "no_testing_agreement" ("双方对检测鉴定机构或费用不能达成一致", "no agreement on the lab or the cost of testing"),
        PartyRefused = "party_refused" ("一方拒绝调解或无正当理由不参加", "a party refuses or does not attend"),
        AgreementImpossible = "agreement_impossible" ("一方明确表示无法达成调解协议", "a party declares agreement impossible"),
        TimeLimit = "time_limit" ("自受理之日起四十五个工作日内未达成调解协议", "no agreement within 45 working days of acceptance"),
        RefusalGround = "refusal_ground" ("发现不予受理情形", "a ground for refusal found later"),
        Other = "other" ("其他应当终止的情形", "other grounds"),
    }
}

rulekit::text_enum! {
    /// Why mediation is suspended (Art 20: testing time does not count).
    pub enum SuspendReason ("reason for suspension") {
        Testing = "testing" ("检测鉴定", "testing"),
        Other = "other" ("其他", "other"),
    }
}

rulekit::text_enum! {
    /// The steps a regulator or the respondent takes, by the name in `POST /api/v1/complaints/{id}/{action}`.
    pub enum Action ("complaint step") {
        Accept = "accept" ("受理", "accept"),
        Reject = "reject" ("不予受理", "refuse"),
        Refer = "refer" ("移送", "refer"),
        Mediate = "mediate" ("开始调解", "start mediation"),
        Suspend = "suspend" ("中止调解", "suspend"),
        Resume = "resume" ("恢复调解", "resume"),
        Settle = "settle" ("调解成功", "record settlement"),
        Terminate = "terminate" ("终止调解", "end mediation"),
        Notify = "notify" ("告知当事人", "notify the parties"),
        Extend = "extend" ("延长核查期限", "extend verification"),
        OpenCase = "open-case" ("立案", "open a case"),
        NoCase = "no-case" ("不予立案", "no case"),
        Answer = "answer" ("答复", "answer"),
        Classify = "classify" ("更正分类", "correct the classification"),
        Split = "split" ("转为举报", "split off a report"),
        EnterpriseResponse = "enterprise-response" ("企业答复", "enterprise's answer"),
        Reward = "reward" ("给予奖励", "grant the reward"),
        RewardRefuse = "reward-refuse" ("不予奖励", "refuse the reward"),
    }
}

rulekit::text_enum! {
    /// The submitter's own steps, by the name in `POST /api/v1/complaints/track/{action}`.
    pub enum SubmitterAction ("submitter step") {
        Settlement = "settlement" ("接受企业和解", "accept the enterprise's answer"),
        Withdraw = "withdraw" ("撤回", "withdraw"),
        Evaluation = "evaluation" ("评价", "evaluate"),
        Reward = "reward" ("申请举报奖励", "claim the reward"),
    }
}
