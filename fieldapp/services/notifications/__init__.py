"""E-mail notices: `outbox` queues them with the change they report, `wording` writes their
text from templates/mail, `delivery` sends them from the worker (transports in infra/mail)."""
