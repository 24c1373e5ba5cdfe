//! Deal values: decimal amounts in the client's currency, kept as whole cents (two places for
//! every currency; a yen value simply has none after the point).

use super::input::invalid;
use crate::error::AppResult;

/// The largest value a lead may have: a trillion.
const MAX_CENTS: i64 = 100_000_000_000_000;

/// Cents of an amount written `1234`, `1234.5` or `1234.50` (a point, no grouping).
pub fn cents(value: &str) -> AppResult<i64> {
    let refused = || {
        invalid(
            "value",
            value.chars().take(40).collect(),
            "an amount from 0 to 1000000000000 with at most two decimals, such as 1250.50",
        )
    };
    let text = value.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 13
        || fraction.len() > 2
        || !digits(whole)
        || !digits(fraction)
    {
        return Err(refused());
    }
    let whole: i64 = whole.parse().map_err(|_| refused())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| refused())?;
    let cents = whole * 100 + fraction;
    if cents > MAX_CENTS {
        return Err(refused());
    }
    Ok(cents)
}

/// `1234.50` of 123450 cents.
pub fn decimal(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_and_print_to_the_cent() {
        assert_eq!(cents("1234").unwrap(), 123_400);
        assert_eq!(cents(" 1234.5 ").unwrap(), 123_450);
        assert_eq!(cents("0.07").unwrap(), 7);
        assert_eq!(cents("1000000000000").unwrap(), MAX_CENTS);
        for refused in [
            "",
            ".5",
            "-1",
            "1,000",
            "1.234",
            "1e3",
            "1000000000000.01",
            "12a",
        ] {
            assert!(cents(refused).is_err(), "{refused}");
        }
        assert_eq!(decimal(123_450), "1234.50");
        assert_eq!(decimal(7), "0.07");
    }
}
