//! States kept in the database as their names (`TEXT` columns with a `CHECK` listing them).
//!
//! A row read from the database carries the enum, not the text: the `try_from = "String"` attribute
//! on the row's field (in `db`) turns the stored name into the value through [`TryFrom<String>`], which
//! `stored_as_name!` writes for every enum that lists `ALL` its values and names each with
//! `as_str`. A name the code does not know is an error when the row is read, never a value
//! silently compared false.

/// A stored name that no value of the enum has.
#[derive(Debug, thiserror::Error)]
#[error("unknown stored name {0:?}")]
pub struct UnknownName(pub String);

/// Implements `TryFrom<String>` (for reading rows), `Serialize` and `Display` (as the stored
/// name) for an enum with `ALL` and
/// `as_str`.
macro_rules! stored_as_name {
    ($($type:ty),+ $(,)?) => {$(
        impl TryFrom<String> for $type {
            type Error = $crate::domain::stored::UnknownName;
            fn try_from(name: String) -> Result<Self, Self::Error> {
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == name)
                    .ok_or($crate::domain::stored::UnknownName(name))
            }
        }
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

stored_as_name!(
    super::account::Role,
    super::status::Visibility,
    super::room::Audience,
    super::room::ParticipantState,
    super::suggestion::Status,
    super::program::SessionStatus,
    super::program::Kind,
    super::complaint::Kind,
    super::complaint::Status,
    super::complaint::Step,
    super::holidays::Change,
    super::retention::RecordKind,
    super::retention::Class,
    super::export::ExportState,
    super::practice::Check,
);

#[cfg(test)]
mod tests {
    use super::super::{account::Role, program::SessionStatus, room::ParticipantState};
    use super::super::{room::Audience, status::Visibility, suggestion::Status};

    /// Every value reads back from its own name; the stored names are the migrations' `CHECK`s.
    #[test]
    fn every_value_reads_back_from_its_stored_name() {
        fn round_trip<T>(all: &[T])
        where
            T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + TryFrom<String>,
        {
            for value in all {
                let read = T::try_from(value.to_string()).ok();
                assert_eq!(read, Some(*value));
            }
        }
        round_trip(&Role::ALL);
        round_trip(&Visibility::ALL);
        round_trip(&Audience::ALL);
        round_trip(&ParticipantState::ALL);
        round_trip(&Status::ALL);
        round_trip(&SessionStatus::ALL);
    }

    #[test]
    fn an_unknown_name_is_an_error_not_a_value() {
        assert!(Visibility::try_from("followers".to_owned()).is_err());
        assert!(ParticipantState::try_from("Active".to_owned()).is_err());
        assert!(SessionStatus::try_from(String::new()).is_err());
    }
}
