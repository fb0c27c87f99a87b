fn main() { println!("relay"); }
