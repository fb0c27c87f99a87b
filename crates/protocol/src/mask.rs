//! How an address is shown when only its owner should recognise it: in the
//! server's answers (`destination`) and on the app's screens alike.

/// `alice@example.com` → `a***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// `+8613800138000` → `138****8000`: the last 11 digits (a Chinese mobile
/// number) with the middle four hidden; shorter numbers keep 2 + 2.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let part = |r: std::ops::Range<usize>| digits[r].iter().collect::<String>();
    let n = digits.len();
    if n >= 11 {
        format!("{}****{}", part(n - 11..n - 8), part(n - 4..n))
    } else if n >= 4 {
        format!("{}****{}", part(0..2), part(n - 2..n))
    } else {
        "****".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_just_enough_to_recognise_the_address() {
        assert_eq!(mask_email("alice@example.com"), "a***@example.com");
        assert_eq!(mask_email("no-at-sign"), "***");
        assert_eq!(mask_phone("+8613800138000"), "138****8000");
        assert_eq!(mask_phone("020 7946 0958"), "020****0958");
        assert_eq!(mask_phone("12345"), "12****45");
        assert_eq!(mask_phone("12"), "****");
    }
}
