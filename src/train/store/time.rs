//! Timestamps of event files → Unix milliseconds: numbers in a given unit or detected by
//! magnitude ([`TimeUnit::Auto`]), and ISO 8601 / RFC 3339 date-times (`2024-05-01`,
//! `2024-05-01T12:30:00Z`, `2024-05-01 12:30:00.250+02:00`; no zone means UTC). Also the
//! RFC 3339 text of a time, for the model's provenance.

use super::options::TimeUnit;

/// Days from 1970-01-01 to the civil date (proleptic Gregorian; Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// RFC 3339 text (UTC, whole seconds) of a Unix time in seconds.
pub fn rfc3339(unix_seconds: i64) -> String {
    let (days, secs) = (
        unix_seconds.div_euclid(86_400),
        unix_seconds.rem_euclid(86_400),
    );
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A number of `unit`s → milliseconds (rounded), or `None` when out of range or not finite.
pub fn number_to_ms(v: f64, unit: TimeUnit) -> Option<i64> {
    if !v.is_finite() {
        return None;
    }
    let unit = match unit {
        TimeUnit::Auto => match v.abs() {
            a if a < 1e11 => TimeUnit::Seconds,
            a if a < 1e14 => TimeUnit::Millis,
            a if a < 1e17 => TimeUnit::Micros,
            _ => TimeUnit::Nanos,
        },
        u => u,
    };
    let ms = match unit {
        TimeUnit::Seconds => v * 1e3,
        TimeUnit::Micros => v / 1e3,
        TimeUnit::Nanos => v / 1e6,
        TimeUnit::Millis | TimeUnit::Auto => v,
    };
    (ms.abs() < 9e15).then(|| ms.round() as i64)
}

/// An integer of `unit`s → milliseconds, exact for integers beyond f64's 2⁵³.
pub fn integer_to_ms(v: i64, unit: TimeUnit) -> Option<i64> {
    match unit {
        TimeUnit::Auto if v.unsigned_abs() >= 100_000_000_000_000 => integer_to_ms(
            v,
            if v.unsigned_abs() < 10u64.pow(17) {
                TimeUnit::Micros
            } else {
                TimeUnit::Nanos
            },
        ),
        TimeUnit::Micros => Some(v.div_euclid(1_000)),
        TimeUnit::Nanos => Some(v.div_euclid(1_000_000)),
        _ => number_to_ms(v as f64, unit),
    }
}

/// A text timestamp: a number (in `unit`) or an ISO 8601 date-time.
pub fn parse_text(s: &str, unit: TimeUnit) -> Option<i64> {
    let s = s.trim();
    if let Ok(v) = s.parse::<i64>() {
        return integer_to_ms(v, unit);
    }
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return number_to_ms(s.parse().ok()?, unit);
    }
    parse_iso(s)
}

fn digits(s: &str, at: usize, n: usize) -> Option<u32> {
    let part = s.get(at..at + n)?;
    part.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| part.parse().ok())?
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.fff…]]][Z|±HH[:]MM]` → Unix milliseconds.
pub fn parse_iso(s: &str) -> Option<i64> {
    let (y, m, d) = (digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?);
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m as usize - 1]
        + u32::from(m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    if d > month_days {
        return None;
    }
    let mut ms = days_from_civil(i64::from(y), m, d) * 86_400_000;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (h, mi) = (digits(rest, 0, 2)?, digits(rest, 3, 2)?);
    if rest.get(2..3)? != ":" || h > 23 || mi > 59 {
        return None;
    }
    let mut rest = &rest[5..];
    let mut sec_ms = 0u32;
    if let Some(r) = rest.strip_prefix(':') {
        let sec = digits(r, 0, 2)?;
        if sec > 60 {
            return None;
        }
        sec_ms = sec * 1000;
        rest = &r[2..];
        if let Some(r) = rest.strip_prefix(['.', ',']) {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let frac: String = r[..n].chars().chain("000".chars()).take(3).collect();
            sec_ms += frac.parse::<u32>().ok()?;
            rest = &r[n..];
        }
    }
    ms += i64::from(h) * 3_600_000 + i64::from(mi) * 60_000 + i64::from(sec_ms);
    let offset_min = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = rest[1..].replace(':', "");
            if z.len() != 4 {
                return None;
            }
            let (oh, om) = (digits(&z, 0, 2)?, digits(&z, 2, 2)?);
            sign * i64::from(oh * 60 + om)
        }
    };
    Some(ms - offset_min * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_and_times_become_unix_milliseconds() {
        assert_eq!(parse_iso("1970-01-01"), Some(0));
        assert_eq!(parse_iso("2001-09-09T01:46:40Z"), Some(1_000_000_000_000));
        assert_eq!(
            parse_iso("2001-09-09 03:46:40.5+02:00"),
            Some(1_000_000_000_500)
        );
        assert_eq!(parse_iso("2024-02-29T00:00"), Some(1_709_164_800_000));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-01-01T25:00",
            "yesterday",
            "2024-01-01X",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_are_read_by_magnitude_unless_a_unit_is_given() {
        let auto = TimeUnit::Auto;
        assert_eq!(parse_text("1000000000", auto), Some(1_000_000_000_000));
        assert_eq!(parse_text("1000000000000", auto), Some(1_000_000_000_000));
        assert_eq!(
            parse_text("1000000000000000", auto),
            Some(1_000_000_000_000)
        );
        assert_eq!(
            parse_text("1000000000000000000", auto),
            Some(1_000_000_000_000)
        );
        assert_eq!(parse_text("1.5", auto), Some(1500));
        assert_eq!(
            parse_text("1000000000", TimeUnit::Millis),
            Some(1_000_000_000)
        );
        assert_eq!(parse_text("NaN", auto), None);
    }

    #[test]
    fn rfc3339_is_the_inverse_of_parse_iso() {
        for t in [0i64, 951_782_400, 1_764_547_200, -86_400] {
            assert_eq!(parse_iso(&rfc3339(t)), Some(t * 1000), "{t}");
        }
        assert_eq!(rfc3339(1_000_000_000), "2001-09-09T01:46:40Z");
    }
}
