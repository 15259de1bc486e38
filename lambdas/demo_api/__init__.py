"""The demo HTTP API's backend: answers every route with a fixed JSON greeting."""
