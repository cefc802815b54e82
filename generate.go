package main

// Regenerate everything derived from the ent schema and schema/*.graphql:
// first ent and entgql, then gqlgen.
//go:generate go run -mod=mod ./codegen/entc
//go:generate go run -mod=mod ./codegen/gqlgen
