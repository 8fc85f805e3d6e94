// Runs a local AT Protocol network for Relais' Bluesky tests: a PLC directory (:2582), a PDS
// (:2583), an AppView (:2584) and a moderation service (:2587), all on loopback. When it is
// ready it prints one JSON line with "ready": true and the services' URLs; SIGTERM stops it.
const { TestNetwork, mockMailer } = require('@atproto/dev-env')

async function main() {
  const startedAt = Date.now()
  const network = await TestNetwork.create({
    dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA || 'relais',
    plc: { port: 2582 },
    pds: { port: 2583, hostname: 'localhost', enableDidDocWithSession: true },
    bsky: { port: 2584, publicUrl: 'http://localhost:2584' },
    ozone: {
      port: 2587,
      chatUrl: 'http://localhost:2590',
      chatDid: 'did:example:chat',
      dbMaterializedViewRefreshIntervalMs: 30000,
    },
  })
  // Account creation sends no mail.
  mockMailer(network.pds)
  console.log(JSON.stringify({
    ready: true,
    startMs: Date.now() - startedAt,
    plc: network.plc.url,
    pds: network.pds.url,
    appview: network.bsky.url,
  }))
  let stopping = false
  const stop = async (signal) => {
    if (stopping) return
    stopping = true
    console.log(`stopping (${signal})`)
    try {
      await network.close()
    } catch (err) {
      console.error(err)
    }
    process.exit(0)
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((err) => {
  console.error('the AT Protocol network did not start:', err)
  process.exit(1)
})
