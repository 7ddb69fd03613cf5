// paging.go pages through page-token lists.

package api

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// Page is one page of a page-token list.
type Page[T any] struct {
	Items         []T
	NextPageToken string // empty on the last page
	TotalSize     int    // as reported by the API; 0 when it did not say
}

// PageParams are the paging controls of page-token lists.
type PageParams struct {
	PageSize  int    // 0: the API's default (10)
	PageToken string // from the previous page; keep the same filters
}

func (p PageParams) encode(q url.Values) {
	if p.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(p.PageSize))
	}
	if p.PageToken != "" {
		q.Set("page_token", p.PageToken)
	}
}

// listPage fetches one page of a page-token list.
func listPage[T any](ctx context.Context, c *Client, p string, q url.Values) (Page[T], error) {
	var page Page[T]
	env, err := c.get(ctx, p, q, &page.Items)
	if err != nil {
		return page, err
	}
	if env.ResultInfo != nil {
		page.NextPageToken = env.ResultInfo.NextPageToken
		page.TotalSize = int(env.ResultInfo.TotalSize)
	}
	return page, nil
}

// allPages walks a page-token list from the first page to the last.
func allPages[T any](ctx context.Context, fetch func(token string) (Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token := ""
		for {
			page, err := fetch(token)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if page.NextPageToken == "" {
				return
			}
			if page.NextPageToken == token {
				var zero T
				yield(zero, fmt.Errorf("api paging: the next page token repeats the current one"))
				return
			}
			token = page.NextPageToken
			if ctx.Err() != nil {
				var zero T
				yield(zero, ctx.Err())
				return
			}
		}
	}
}
