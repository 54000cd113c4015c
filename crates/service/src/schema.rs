//! Schemas the OpenAPI document builds from the rule rooms' declarations, so a vocabulary documented in an
//! answer is the one its enum parses, with each value's Chinese and English name.

use rulekit::Vocabulary;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// A string schema holding a vocabulary's values, for `#[schema(schema_with = vocabulary::<T>)]`.
pub fn vocabulary<T: Vocabulary>() -> RefOr<Schema> {
    builder::<T>(false).into()
}

/// The same as [`vocabulary`], for a field that may be null.
pub fn optional_vocabulary<T: Vocabulary>() -> RefOr<Schema> {
    builder::<T>(true).into()
}

fn builder<T: Vocabulary>(nullable: bool) -> ObjectBuilder {
    let lines: Vec<String> =
        T::values().iter().map(|v| format!("- `{}`: {} ({})", v.text(), v.name_zh(), v.name_en())).collect();
    let kind = if nullable {
        utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null])
    } else {
        Type::String.into()
    };
    let mut values: Vec<serde_json::Value> = T::values().iter().map(|v| v.text().into()).collect();
    if nullable {
        values.push(serde_json::Value::Null);
    }
    ObjectBuilder::new().schema_type(kind).enum_values(Some(values)).description(Some(format!(
        "The {}:\n\n{}",
        T::WHAT,
        lines.join("\n")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vocabulary_schema_lists_every_value_with_its_names() {
        let RefOr::T(Schema::Object(schema)) = vocabulary::<complaints::Status>() else { panic!("not an object") };
        let values = schema.enum_values.expect("values");
        assert_eq!(values.len(), complaints::Status::ALL.len());
        assert_eq!(values[0], "pending");
        let description = schema.description.expect("description");
        assert!(description.contains("`closed`: 办结 (closed)"), "{description}");
        let RefOr::T(Schema::Object(optional)) = optional_vocabulary::<complaints::Status>() else { panic!() };
        assert!(optional.enum_values.expect("values").contains(&serde_json::Value::Null));
    }
}
