package ent

// pageLimit is the LIMIT of a page of first (or last) rows, at the top
// level (ent/template/paginate.tmpl) or per parent (entc.go changes
// entgql's collection template to call it). entgql reads one more row,
// whose presence tells hasNextPage (hasPreviousPage); only pageInfo shows
// it, so without pageInfo the page reads its own rows alone, and loads no
// connection of a node it does not show. A limit of one stays one: it
// marks a page of at most one node (first: 0 loads no page at all).
func pageLimit(first, last *int, pageInfo bool) int {
	limit := paginateLimit(first, last)
	if !pageInfo && limit > 1 {
		limit--
	}
	return limit
}
