//! Core Business Vocabulary (CBV 2.0) lists and their web-URI forms.
//!
//! In the JSON binding a standard value is the bare word (`shipping`); the hash and the XML binding use the
//! GS1 web URI (`https://ref.gs1.org/cbv/BizStep-shipping`) or the older URN (`urn:epcglobal:cbv:bizstep:…`).

/// A CBV vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    /// Business step (`bizStep`).
    BizStep,
    /// Disposition (`disposition`, `persistentDisposition`).
    Disposition,
    /// Business transaction type.
    BizTransactionType,
    /// Source / destination type.
    SourceDestType,
    /// Error declaration reason.
    ErrorReason,
    /// Sensor measurement type (GS1 web vocabulary).
    MeasurementType,
    /// Sensor alert type (GS1 web vocabulary).
    AlertType,
    /// Sensor report component.
    Component,
}

/// CBV 2.0 business steps.
pub const BIZ_STEPS: &[&str] = &[
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
];

/// CBV 2.0 dispositions.
pub const DISPOSITIONS: &[&str] = &[
    "active",
    "available",
    "completeness_inferred",
    "completeness_verified",
    "conformant",
    "container_closed",
    "container_open",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "mismatch_class",
    "mismatch_instance",
    "mismatch_quantity",
    "needs_replacement",
    "no_pedigree_match",
    "non_conformant",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unavailable",
    "unknown",
];

/// CBV 2.0 business transaction types.
pub const BIZ_TRANSACTION_TYPES: &[&str] = &[
    "bol",
    "cert",
    "desadv",
    "inv",
    "pedigree",
    "po",
    "poc",
    "prodorder",
    "recadv",
    "rma",
    "testprd",
    "testres",
    "upevt",
];

/// CBV 2.0 source / destination types.
pub const SOURCE_DEST_TYPES: &[&str] = &["owning_party", "possessing_party", "location"];

/// CBV 2.0 error reasons.
pub const ERROR_REASONS: &[&str] = &["did_not_occur", "incorrect_data"];

/// GS1 web vocabulary measurement types.
pub const MEASUREMENT_TYPES: &[&str] = &[
    "AbsoluteHumidity",
    "AbsorbedDose",
    "AbsorbedDoseRate",
    "Acceleration",
    "Radioactivity",
    "Altitude",
    "AmountOfSubstance",
    "AmountOfSubstancePerUnitVolume",
    "Angle",
    "AngularAcceleration",
    "AngularMomentum",
    "AngularVelocity",
    "Area",
    "Capacitance",
    "Conductance",
    "Conductivity",
    "Count",
    "Density",
    "Dimensionless",
    "DoseEquivalent",
    "DoseEquivalentRate",
    "DynamicViscosity",
    "ElectricCharge",
    "ElectricCurrent",
    "ElectricCurrentDensity",
    "ElectricFieldStrength",
    "Energy",
    "Exposure",
    "Force",
    "Frequency",
    "Illuminance",
    "Inductance",
    "Irradiance",
    "KinematicViscosity",
    "Length",
    "LinearMomentum",
    "Luminance",
    "LuminousFlux",
    "LuminousIntensity",
    "MagneticFlux",
    "MagneticFluxDensity",
    "MagneticVectorPotential",
    "Mass",
    "MassConcentration",
    "MassFlowRate",
    "MassPerAreaTime",
    "MemoryCapacity",
    "MolalityOfSolute",
    "MolarEnergy",
    "MolarMass",
    "MolarVolume",
    "Power",
    "Pressure",
    "RadiantFlux",
    "RadiantIntensity",
    "RelativeHumidity",
    "Resistance",
    "Resistivity",
    "SolidAngle",
    "SpecificVolume",
    "Speed",
    "SurfaceDensity",
    "SurfaceTension",
    "Temperature",
    "Time",
    "Torque",
    "Voltage",
    "Volume",
    "VolumeFlowRate",
    "VolumeFraction",
    "VolumetricFlux",
    "Wavenumber",
];

/// Measurement types of the GS1 web vocabulary's earlier releases, still sent by deployed systems.
pub const LEGACY_MEASUREMENT_TYPES: &[&str] =
    &["Activity", "EffectiveDose", "EffectiveDoseRate", "Molar_concentration", "Mass_concentration"];

/// GS1 web vocabulary sensor alert types.
pub const ALERT_TYPES: &[&str] = &["ALARM_CONDITION", "ERROR_CONDITION"];

/// CBV 2.0 sensor components.
pub const COMPONENTS: &[&str] = &[
    "x",
    "y",
    "z",
    "axial_distance",
    "azimuth",
    "height",
    "spherical_radius",
    "polar_angle",
    "elevation_angle",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "altitude",
];

/// GS1 web vocabulary namespace.
pub const GS1_VOC: &str = "https://gs1.org/voc/";
/// CBV namespace.
pub const CBV: &str = "https://ref.gs1.org/cbv/";

impl Vocabulary {
    /// The standard values.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            Vocabulary::BizStep => BIZ_STEPS,
            Vocabulary::Disposition => DISPOSITIONS,
            Vocabulary::BizTransactionType => BIZ_TRANSACTION_TYPES,
            Vocabulary::SourceDestType => SOURCE_DEST_TYPES,
            Vocabulary::ErrorReason => ERROR_REASONS,
            Vocabulary::MeasurementType => MEASUREMENT_TYPES,
            Vocabulary::AlertType => ALERT_TYPES,
            Vocabulary::Component => COMPONENTS,
        }
    }

    /// The web-URI prefix of a bare standard value.
    pub fn web_prefix(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "https://ref.gs1.org/cbv/BizStep-",
            Vocabulary::Disposition => "https://ref.gs1.org/cbv/Disp-",
            Vocabulary::BizTransactionType => "https://ref.gs1.org/cbv/BTT-",
            Vocabulary::SourceDestType => "https://ref.gs1.org/cbv/SDT-",
            Vocabulary::ErrorReason => "https://ref.gs1.org/cbv/ER-",
            Vocabulary::Component => "https://ref.gs1.org/cbv/Comp-",
            Vocabulary::MeasurementType | Vocabulary::AlertType => GS1_VOC,
        }
    }

    /// The URN form's prefix (`urn:epcglobal:cbv:bizstep:`), where the vocabulary has one.
    fn urn_prefix(self) -> Option<&'static str> {
        match self {
            Vocabulary::BizStep => Some("urn:epcglobal:cbv:bizstep:"),
            Vocabulary::Disposition => Some("urn:epcglobal:cbv:disp:"),
            Vocabulary::BizTransactionType => Some("urn:epcglobal:cbv:btt:"),
            Vocabulary::SourceDestType => Some("urn:epcglobal:cbv:sdt:"),
            Vocabulary::ErrorReason => Some("urn:epcglobal:cbv:er:"),
            _ => None,
        }
    }

    /// True when `word` is a standard bare value.
    pub fn contains(self, word: &str) -> bool {
        self.values().contains(&word)
            || (self == Vocabulary::MeasurementType && LEGACY_MEASUREMENT_TYPES.contains(&word))
    }

    /// The web URI of a value given bare, as a URN or as a web URI; other URIs are returned unchanged.
    pub fn to_web_uri(self, value: &str) -> String {
        if !value.contains(':') {
            return format!("{}{value}", self.web_prefix());
        }
        if let Some(word) = self.urn_prefix().and_then(|prefix| value.strip_prefix(prefix)) {
            return format!("{}{word}", self.web_prefix());
        }
        value.to_owned()
    }

    /// The bare word of a standard value in any of its forms, for storage and queries.
    pub fn to_bare(self, value: &str) -> String {
        let web = self.to_web_uri(value);
        match web.strip_prefix(self.web_prefix()) {
            Some(word) if self.contains(word) => word.to_owned(),
            _ => value.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_value_meets() {
        let forms = ["shipping", "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping"];
        for form in forms {
            assert_eq!(Vocabulary::BizStep.to_web_uri(form), "https://ref.gs1.org/cbv/BizStep-shipping");
            assert_eq!(Vocabulary::BizStep.to_bare(form), "shipping");
        }
        assert_eq!(Vocabulary::BizStep.to_bare("https://example.com/step"), "https://example.com/step");
    }
}
