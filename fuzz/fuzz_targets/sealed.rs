//! Sealed files: any bytes opened as one are refused (not sealed, wrong key, damaged, cut) in
//! bounded memory, never a panic; and what is sealed opens back the same, while the same file
//! with one byte changed does not open.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigida_vault::{Key, Secret};

fuzz_target!(|data: &[u8]| {
    let secret = Secret::KeyFile(Key::from_bytes([7; 32]));
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    if choice % 2 == 1 {
        let _ = sigida_vault::open(&secret, rest, std::io::sink());
        return;
    }
    let mut sealed = Vec::new();
    sigida_vault::seal(&secret, rest, &mut sealed).expect("sealing into memory works");
    let mut back = Vec::new();
    sigida_vault::open(&secret, sealed.as_slice(), &mut back).expect("what is sealed opens");
    assert_eq!(back, rest);
    let at = usize::from(choice) * 31 % sealed.len();
    sealed[at] ^= 0x20;
    assert!(sigida_vault::open(&secret, sealed.as_slice(), std::io::sink()).is_err());
});
