//! Live tests of the Mastodon connector against a server that speaks the API.
//!
//! They run against `mastodon-mock` (an imitation of Mastodon, not a real instance) that
//! `.ci/run` starts and names in `RELAIS_TEST_MASTODON_URL`. Without that variable they skip
//! and say so; with `RELAIS_TEST_REQUIRE_MASTODON=1` a missing or silent server fails them.
//! Accounts are created through the imitation's own helper (`/api/v1/_mock/dev_user`), and
//! failures are provoked through its fault injection (`/api/v1/_mock/faults`).

mod community;
mod mock;
mod publishing;
