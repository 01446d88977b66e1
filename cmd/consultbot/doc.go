// Command consultbot runs the consultation "États généraux du numérique
// éducatif" as a chatbot.
//
//	consultbot chat          take part in a terminal, on a local bbolt file
//	consultbot run           serve every configured channel (Telegram, Discord)
//	consultbot check-config  validate the configuration and the questionnaire
//	consultbot export        export the answers, pseudonymised (CSV or JSONL)
//	consultbot digest        print the digest since the last periodic one
//	consultbot version       print the version
//
// main wires everything by hand: Main parses the flags, Run loads the
// configuration (config.go: TOML over DefaultConfig, ${ENV} expanded,
// validated all at once), opens the database, builds the conversation, the
// engine and the adapters, and Close shuts them down in order under a
// timeout: channels first, then the engine drains the outbox, then the
// database closes.
package main
