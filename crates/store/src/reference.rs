//! Reference data compiled in: the outlines' quality targets. (Regions come from the `codes` crate, the product
//! catalogue from `product_catalogue`, standards from `standards`.)

/// A quality target of the outlines (专栏1 of the 2011–2020 outline, ¶四 of the 1996–2010 outline).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorTarget {
    /// Stable code.
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// `>=`, `>` or `=`.
    pub comparison: &'static str,
    pub target: f64,
    /// `%` or `score`.
    pub unit: &'static str,
    /// The year the target is set for, when the outline names one.
    pub year: Option<i32>,
    pub source: &'static str,
}

/// The targets zhiliang tracks, as data: an official correction is a change here, not in code.
pub const INDICATOR_TARGETS: &[IndicatorTarget] = &[
    IndicatorTarget {
        code: "national_sampling_pass_rate",
        name_zh: "产品质量国家监督抽查合格率",
        name_en: "National supervision sampling pass rate",
        comparison: ">=",
        target: 90.0,
        unit: "%",
        year: Some(2015),
        source: "Q11 专栏1",
    },
    IndicatorTarget {
        code: "agricultural_sampling_pass_rate",
        name_zh: "主要农产品质量安全抽检合格率",
        name_en: "Agricultural product safety sampling pass rate",
        comparison: ">=",
        target: 96.0,
        unit: "%",
        year: None,
        source: "Q11 专栏1",
    },
    IndicatorTarget {
        code: "agricultural_standardisation",
        name_zh: "农业标准化生产普及率",
        name_en: "Standardised agricultural production",
        comparison: ">",
        target: 30.0,
        unit: "%",
        year: None,
        source: "Q11 专栏1",
    },
    IndicatorTarget {
        code: "large_project_acceptance",
        name_zh: "大中型工程项目一次验收合格率",
        name_en: "First-time acceptance of large and medium projects",
        comparison: "=",
        target: 100.0,
        unit: "%",
        year: None,
        source: "Q11 专栏1",
    },
    IndicatorTarget {
        code: "other_project_acceptance",
        name_zh: "其他工程一次验收合格率",
        name_en: "First-time acceptance of other projects",
        comparison: ">=",
        target: 98.0,
        unit: "%",
        year: None,
        source: "Q11 专栏1",
    },
    IndicatorTarget {
        code: "producer_services_satisfaction",
        name_zh: "生产性服务业顾客满意度",
        name_en: "Producer services customer satisfaction",
        comparison: ">=",
        target: 80.0,
        unit: "score",
        year: None,
        source: "Q11 专栏1",
    },
    IndicatorTarget {
        code: "consumer_services_satisfaction",
        name_zh: "生活性服务业顾客满意度",
        name_en: "Consumer services customer satisfaction",
        comparison: ">=",
        target: 75.0,
        unit: "score",
        year: None,
        source: "Q11 专栏1",
    },
    IndicatorTarget {
        code: "key_products_tracking_pass_rate",
        name_zh: "国家重点产品可比性跟踪监督抽查合格率",
        name_en: "Key products comparable tracking sampling pass rate",
        comparison: ">=",
        target: 95.0,
        unit: "%",
        year: Some(2010),
        source: "Q96 ¶四",
    },
    IndicatorTarget {
        code: "export_factory_pass_rate",
        name_zh: "出口产品出厂合格率",
        name_en: "Export products factory pass rate",
        comparison: "=",
        target: 100.0,
        unit: "%",
        year: None,
        source: "Q96 ¶四",
    },
    IndicatorTarget {
        code: "international_standards_adoption",
        name_zh: "主要工业产品按国际标准组织生产",
        name_en: "Main industrial products made to international standards",
        comparison: ">=",
        target: 85.0,
        unit: "%",
        year: Some(2010),
        source: "Q96 ¶四",
    },
];
