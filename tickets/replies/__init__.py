"""What an agent's reply is made of before it is stored: checked files, addresses,
formatted text and the signature (docs/replies.md). The services in
``tickets.services.compose`` and ``tickets.services.side`` put them together."""
