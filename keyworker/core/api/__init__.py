"""The contracts every app's API plugs into: base viewsets, scoped fields, the schema, JSON errors, the acting
user of a request, pagination, the permission and the registry of each app's routes. They know no domain."""
