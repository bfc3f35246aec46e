"""MongoDB adapters: repositories, document mappers, indexes and the plain-key migration."""
