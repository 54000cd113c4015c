//! A certificate: its number (checked in its scheme's format), the body that issued it, the holder, manufacturer
//! and factory, the catalogue product class, models, GTINs and the standard editions it certifies to, and its
//! dates. `CertificateFields::check` reads a row; `Certificate::fits` checks it against its body and the catalogue.

use chrono::{Datelike, NaiveDate};
use product_catalogue::{Catalogue, Regime};
use serde::{Deserialize, Serialize};

use crate::{
    day, fault, given, list, present, term, text, uscc, Body, BodyStatus, CertificateNumber, FieldError, Scheme,
};

/// Models, GTINs or standards one certificate lists at most.
pub const MAX_LIST_ITEMS: usize = 200;

/// A certificate as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub number: CertificateNumber,
    pub scheme: Scheme,
    /// The issuing body's approval number.
    pub body: String,
    /// The holder's USCC (委托人/持证人).
    pub holder: String,
    pub manufacturer: Option<String>,
    pub factory: Option<String>,
    /// The catalogue code of the certified product; none for a management-system or service certificate.
    pub product_class: Option<String>,
    /// The product, or the scope of a management-system or service certificate.
    pub product_name: String,
    pub models: Vec<String>,
    /// GTIN-14s.
    pub gtins: Vec<String>,
    /// Standard editions, canonical (`GB 6675.1-2014`).
    pub standards: Vec<String>,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
}

/// A certificate's fields as a body uploads them (a CSV row or a JSON object), texts not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CertificateInput)]
pub struct CertificateFields {
    /// Required: CCC, 16 digits (year, body code, product class, sequence) or an older 12-digit number; others,
    /// the body's own numbering.
    #[schema(max_length = 40)]
    pub number: Option<String>,
    /// Required: ccc, voluntary_product, management_system or service.
    #[schema(max_length = 20)]
    pub scheme: Option<String>,
    /// Required: the issuing body's approval number.
    #[schema(max_length = 20)]
    pub body: Option<String>,
    /// Required: the holder's USCC.
    #[schema(max_length = 18)]
    pub holder_uscc: Option<String>,
    #[schema(max_length = 18)]
    pub manufacturer_uscc: Option<String>,
    #[schema(max_length = 18)]
    pub factory_uscc: Option<String>,
    /// The catalogue code of the product: required for a product certificate.
    #[schema(max_length = 20)]
    pub product_class: Option<String>,
    /// Required: the product, or the scope of a system or service certificate.
    #[schema(max_length = 200)]
    pub product_name: Option<String>,
    /// Models, separated by `;`.
    #[schema(max_length = 4000)]
    pub models: Option<String>,
    /// GTINs (8, 12, 13 or 14 digits), separated by `;`.
    #[schema(max_length = 4000)]
    pub gtins: Option<String>,
    /// Standard editions, separated by `;`: `GB 6675.1-2014;GB 6675.2-2014`.
    #[schema(max_length = 4000)]
    pub standards: Option<String>,
    /// Required.
    #[schema(format = Date)]
    pub issued_on: Option<String>,
    /// Required: after the issue date.
    #[schema(format = Date)]
    pub expires_on: Option<String>,
}

fn bounded(field: &'static str, items: Vec<String>) -> Result<Vec<String>, FieldError> {
    if items.len() > MAX_LIST_ITEMS {
        return Err(fault(field, format!("at most {MAX_LIST_ITEMS} items")));
    }
    Ok(items)
}

impl CertificateFields {
    /// Reads the fields into a certificate; whether it fits its body and the catalogue is [`Certificate::fits`].
    pub fn check(self) -> Result<Certificate, FieldError> {
        let scheme = term::<Scheme>("scheme", &present("scheme", self.scheme)?)?;
        let number_text = present("number", self.number)?;
        let number = match scheme {
            Scheme::Ccc => CertificateNumber::ccc(&number_text),
            _ => CertificateNumber::voluntary(&number_text),
        }
        .map_err(|e| fault("number", e))?;
        let body = present("body", self.body)?.to_ascii_uppercase();
        let holder = uscc("holder_uscc", &present("holder_uscc", self.holder_uscc)?)?.to_string();
        let manufacturer = given(self.manufacturer_uscc).map(|t| uscc("manufacturer_uscc", &t)).transpose()?;
        let factory = given(self.factory_uscc).map(|t| uscc("factory_uscc", &t)).transpose()?;
        let product_class = given(self.product_class);
        if scheme.certifies_products() && product_class.is_none() {
            return Err(fault("product_class", "a product certificate names the product's catalogue code"));
        }
        let product_name = text("product_name", present("product_name", self.product_name)?, 200)?;
        let models = bounded("models", list(self.models))?;
        if let Some(long) = models.iter().find(|m| m.chars().count() > 100) {
            return Err(fault("models", format!("'{long}' is longer than 100 characters")));
        }
        let mut gtins = Vec::new();
        for text in bounded("gtins", list(self.gtins))? {
            let gtin = codes::Gtin::parse(&text).map_err(|e| fault("gtins", format!("'{text}': {e}")))?;
            gtins.push(gtin.to_gtin14().as_str().to_owned());
        }
        let mut standards = Vec::new();
        for text in bounded("standards", list(self.standards))? {
            let number: standards::StandardNumber = text.parse().map_err(|e| fault("standards", e))?;
            standards.push(number.to_string());
        }
        let issued_on = day("issued_on", &present("issued_on", self.issued_on)?)?;
        let expires_on = day("expires_on", &present("expires_on", self.expires_on)?)?;
        if expires_on <= issued_on {
            return Err(fault("expires_on", format!("{expires_on} is not after the issue date {issued_on}")));
        }
        Ok(Certificate {
            number,
            scheme,
            body,
            holder,
            manufacturer: manufacturer.map(|u| u.to_string()),
            factory: factory.map(|u| u.to_string()),
            product_class,
            product_name,
            models,
            gtins,
            standards,
            issued_on,
            expires_on,
        })
    }
}

impl Certificate {
    /// Checks it against its issuing body and the product catalogue: the body is approved for the scheme and the
    /// product class; a CCC number carries the body's code and the year of issue; a CCC product is under CCC.
    pub fn fits(&self, body: &Body, catalogue: &Catalogue) -> Result<(), FieldError> {
        if body.approval_number != self.body {
            return Err(fault("body", format!("the certificate names {}, not {}", self.body, body.approval_number)));
        }
        if body.status != BodyStatus::Approved {
            return Err(fault("body", format!("{}'s approval is {}", body.approval_number, body.status.as_str())));
        }
        if !body.schemes.contains(&self.scheme) {
            return Err(fault(
                "scheme",
                format!("{} is not approved for {}", body.approval_number, self.scheme.as_str()),
            ));
        }
        if let Some(parts) = self.number.ccc_parts() {
            if body.ccc_code.as_deref() != Some(parts.body.as_str()) {
                return Err(fault(
                    "number",
                    format!("the number's body code {} is not {}'s", parts.body, body.approval_number),
                ));
            }
            if i32::from(parts.year) != self.issued_on.year() {
                return Err(fault(
                    "number",
                    format!("the number's year {} is not the issue year {}", parts.year, self.issued_on.year()),
                ));
            }
        }
        if let Some(code) = &self.product_class {
            let Some(entry) = catalogue.entry(code) else {
                return Err(fault("product_class", format!("{code} is not in the product catalogue")));
            };
            if !catalogue.accepts(code) {
                return Err(fault("product_class", format!("{code} is retired from the product catalogue")));
            }
            if self.scheme == Scheme::Ccc && !catalogue.regimes(code).contains(&Regime::Ccc) {
                return Err(fault("product_class", format!("{code} is not under compulsory certification")));
            }
            if !body.covers(code, entry.parent.as_deref()) {
                return Err(fault("product_class", format!("{} is not designated for {code}", body.approval_number)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::BodyFields;

    pub(crate) fn holder() -> String {
        codes::Uscc::assemble("91330106", "MA2H0001").unwrap().to_string()
    }

    pub(crate) fn toy_certificate() -> CertificateFields {
        CertificateFields {
            number: Some("2024010601000123".into()),
            scheme: Some("ccc".into()),
            body: Some("CNCA-R-2002-001".into()),
            holder_uscc: Some(holder()),
            product_class: Some("K23-06-01".into()),
            product_name: Some("塑料玩具".into()),
            models: Some("A-1; A-2".into()),
            gtins: Some("6901234567892".into()),
            standards: Some("GB 6675.1-2014;gb6675.2-2014".into()),
            issued_on: Some("2024-03-01".into()),
            expires_on: Some("2029-02-28".into()),
            ..Default::default()
        }
    }

    fn body() -> Body {
        BodyFields {
            approval_number: Some("CNCA-R-2002-001".into()),
            name: Some("中国质量认证中心".into()),
            uscc: Some(codes::Uscc::assemble("12100000", "40000133").unwrap().to_string()),
            ccc_code: Some("01".into()),
            schemes: Some("ccc;voluntary_product".into()),
            product_classes: Some("K23-06".into()),
            ..Default::default()
        }
        .check()
        .unwrap()
    }

    fn catalogue() -> Catalogue {
        Catalogue::new(product_catalogue::shipped().unwrap()).unwrap()
    }

    #[test]
    fn a_ccc_certificate_reads_and_fits_its_body() {
        let certificate = toy_certificate().check().unwrap();
        assert_eq!(certificate.gtins, ["06901234567892"]);
        assert_eq!(certificate.standards, ["GB 6675.1-2014", "GB 6675.2-2014"]);
        assert_eq!(certificate.models, ["A-1", "A-2"]);
        certificate.fits(&body(), &catalogue()).unwrap();
    }

    #[test]
    fn a_field_that_does_not_read_is_named() {
        let cases = [
            (CertificateFields { number: Some("20240106010001".into()), ..toy_certificate() }, "number"),
            (CertificateFields { scheme: Some("cqc".into()), ..toy_certificate() }, "scheme"),
            (CertificateFields { holder_uscc: Some("91330106MA2H00019X".into()), ..toy_certificate() }, "holder_uscc"),
            (CertificateFields { product_class: None, ..toy_certificate() }, "product_class"),
            (CertificateFields { gtins: Some("6901234567893".into()), ..toy_certificate() }, "gtins"),
            (CertificateFields { standards: Some("GB 6675.1".into()), ..toy_certificate() }, "standards"),
            (CertificateFields { expires_on: Some("2024-03-01".into()), ..toy_certificate() }, "expires_on"),
            (CertificateFields { issued_on: Some("2024-02-30".into()), ..toy_certificate() }, "issued_on"),
            (CertificateFields { models: Some("M;".repeat(201)), ..toy_certificate() }, "models"),
        ];
        for (fields, field) in cases {
            assert_eq!(fields.clone().check().unwrap_err().field, field, "{fields:?}");
        }
    }

    #[test]
    fn a_certificate_that_does_not_fit_its_body_or_the_catalogue_says_why() {
        let catalogue = catalogue();
        let fits = |fields: CertificateFields| fields.check().unwrap().fits(&body(), &catalogue).unwrap_err();
        let other_body = fits(CertificateFields { number: Some("2024020601000123".into()), ..toy_certificate() });
        assert_eq!((other_body.field, other_body.reason.contains("body code 02")), ("number", true));
        let year = fits(CertificateFields { issued_on: Some("2025-01-02".into()), ..toy_certificate() });
        assert_eq!(year.field, "number");
        let cement = fits(CertificateFields { product_class: Some("K23-01-03".into()), ..toy_certificate() });
        assert!(cement.reason.contains("not under compulsory certification"), "{cement}");
        let bikes = fits(CertificateFields { product_class: Some("K23-05-01".into()), ..toy_certificate() });
        assert!(bikes.reason.contains("not designated for K23-05-01"), "{bikes}");
        let unknown = fits(CertificateFields { product_class: Some("K99".into()), ..toy_certificate() });
        assert_eq!(unknown.field, "product_class");
        let mut suspended = body();
        suspended.status = BodyStatus::Suspended;
        let error = toy_certificate().check().unwrap().fits(&suspended, &catalogue).unwrap_err();
        assert_eq!(error.field, "body");
        let system = CertificateFields {
            scheme: Some("management_system".into()),
            number: Some("00124Q31234R1M".into()),
            ..toy_certificate()
        };
        assert_eq!(system.check().unwrap().fits(&body(), &catalogue).unwrap_err().field, "scheme");
    }
}
