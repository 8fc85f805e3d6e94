//! Refuses to start with a secret key other than the one the database's secrets were sealed
//! with: better a clear error at start than network tokens that silently fail to decrypt.

use anyhow::bail;
use relais_core::secrets::{SecretBox, SecretKey};
use relais_store::Store;

const SETTING: &str = "secret_key_check";
const CONTEXT: &str = "instance:secret-key-check";

pub async fn verify(store: &Store, key: &SecretKey) -> anyhow::Result<()> {
    let sealer = SecretBox::new(key);
    let stored = store.init_instance_setting(SETTING, &sealer.seal("relais", CONTEXT)).await?;
    if sealer.open(&stored, CONTEXT).is_err() {
        bail!(
            "the secret key is not the one this database was set up with, so stored network tokens \
             could not be decrypted; start relais with the original key (RELAIS_SECRET_KEY or \
             DATA_DIR/secret.key)"
        );
    }
    Ok(())
}
