// Package pageload is the hand-written code that the generated ent code
// (ent/) calls to read pages, so that ent/ holds only generated code:
// nested pages and counts read per parent (LimitPerParent, CountPerParent,
// ChildrenOf) with their parents' IDs in the context of the loads
// (WithParentIDs), the mark that tells privacy rules which queries load
// children of parents already read (MarkChildLoads, package rule's
// readparents), the extra row of a page only for pageInfo (PageLimit),
// cursors checked against their ordering and orderings that place nulls
// alike on both dialects (CursorsPredicate, OrderTerms, OrderSQL), and rows
// scanned into values made once per query (ScanValuesOnce).
//
// The generated code calls it where codegen/entc changes ent's and entgql's
// templates; codegen/README.md lists each change, its measured gain and the
// test that guards it. The package imports no generated code: what it needs
// of ent's generated types it takes as upstream's (entgo.io/ent.Query,
// entgql.Cursor) or as plain functions.
package pageload
