//! A JSON body extractor whose refusals are our typed errors, naming what is wrong.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::text::{BodyFault, Problem};

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(refusal(rejection)),
        }
    }
}

fn refusal(rejection: JsonRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::PayloadTooLarge;
    }
    let kind = match &rejection {
        JsonRejection::MissingJsonContentType(_) => BodyFault::NotJson,
        JsonRejection::JsonSyntaxError(_) => BodyFault::BadSyntax,
        _ => BodyFault::WrongShape,
    };
    AppError::BadRequest(Problem::Body {
        kind,
        detail: rejection.body_text(),
    })
}

/// A body that must be a JSON object: serde reads a struct from an array too (`[null]` would
/// be a change of nothing), which a request whose fields are all optional must refuse (400).
pub struct JsonObject<T>(pub T);

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        serde_json::from_value(serde_json::Value::Object(object))
            .map(Self)
            .map_err(D::Error::custom)
    }
}
