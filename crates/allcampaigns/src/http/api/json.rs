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
