package pageload

// PageLimit is the LIMIT of a page of first (or last) rows, at the top
// level (codegen/entc/template/paginate.tmpl) or per parent (codegen/entc
// changes entgql's collection template to call it), given limit, what
// entgql's paginateLimit makes of first and last. entgql reads one more
// row, whose presence tells hasNextPage (hasPreviousPage); only pageInfo
// shows it, so without pageInfo the page reads its own rows alone, and
// loads no connection of a node it does not show. A limit of one stays
// one: it marks a page of at most one node (first: 0 loads no page at all).
func PageLimit(limit int, pageInfo bool) int {
	if !pageInfo && limit > 1 {
		limit--
	}
	return limit
}
