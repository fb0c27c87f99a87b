//! Passwords common among Chinese-speaking users that zxcvbn's English-centric
//! dictionaries miss: pinyin words, "I love you" numerals (520 = 我爱你,
//! 1314 = 一生一世), lucky numbers, QQ-era habits and keyboard walks.
//! Written for this project from widely published password-leak analyses.

const LIST: &[&str] = &[
    // Love numerals and their combinations.
    "520", "5201314", "1314520", "5211314", "1314521", "520520", "521521", "5201314520",
    "13145200", "1314woaini", "woaini520", "woaini1314", "woaini521", "woaini",
    "woainia", "woaini123", "woaini888", "iloveyou1314", "iloveyou520", "aini1314",
    "aini520", "a5201314", "qq5201314", "5201314a", "wo5201314",
    // Pinyin words, names and phrases.
    "woaiwojia", "woaiwoma", "woaibaba", "woaimama", "wodemima", "mima", "mima123",
    "mima123456", "nihao", "nihao123", "nihaoma", "zhangwei", "wangwei", "wangjing",
    "liwei", "lina", "wangfang", "zhangmin", "liuyang", "wang123456", "zhang123456",
    "li123456", "liu123456", "chen123456", "baobei", "baobei520", "baobei1314",
    "laopo", "laopo520", "laogong", "laogong520", "xiaoming", "xiaobai", "tiantian",
    "jiayou", "wodeai", "qingfeng", "feifei", "yangyang", "huanhuan", "shanghai",
    "beijing", "beijing2008", "shenzhen", "guangzhou", "zhongguo", "china",
    "china123", "caonima", "tamade", "dongfang", "fuckyou",
    // QQ-era and "one letter plus digits" habits.
    "qq123456", "qq123456789", "qq5201314", "qqqqqq", "qq666666", "a123456",
    "a12345678", "a123456789", "aa123456", "aa123456789", "abc123456", "abc12345",
    "123456a", "123456aa", "123456abc", "123abc", "asd123", "asd123456", "qwe123",
    "qwe123456", "qwer1234", "zxc123", "zxc123456", "z123456", "w123456",
    "q123456", "wang1234", "a1b2c3", "a1b2c3d4",
    // Lucky and repeated numbers.
    "666666", "888888", "8888888", "88888888", "168168", "518518", "168888",
    "666888", "147258", "147258369", "159357", "123321", "112233", "123123",
    "321321", "741852963", "987654321", "1234567890", "0123456789", "00000000",
    "11111111", "12345678", "123456789", "1234567", "123456", "654321", "111222",
    "1qaz2wsx", "1q2w3e4r", "1q2w3e", "qazwsx", "qazwsxedc", "zxcvbnm", "asdfghjkl",
];

/// `password` must already be lower-cased.
pub(crate) fn contains(password: &str) -> bool {
    LIST.contains(&password)
}
