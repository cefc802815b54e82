package main

// Regenerate everything derived from the ent schema and schema/*.graphql:
// first ent and entgql, then gqlgen.
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod ./graph/generate
