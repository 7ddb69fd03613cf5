// fold_block.go folds stored sums a Block at a time (an organization's
// day of coarse sums, or its month of fine sums): a grouping's value, and
// whether it passes the filters, is looked up once per text of the value,
// and a key's series once per run of its days, not once per sum (the fine
// sums of a tree's month are millions).

package usage

// AddBlock folds a stored value's sums in, as AddSum each would (not safe
// for concurrent use).
func (a *Agg) AddBlock(b *Block) {
	start, n := int(b.first-DayNumber(a.From)), Days(a.From, a.To) // the Block's first day in a's, and a's days
	t := &a.texts
	t.reset(len(b.Texts), len(a.Filters))
	var s Sum
	for i := range b.Sums {
		r := &b.Sums[i]
		day := start + int(r.Day)
		if day < 0 || day >= n {
			a.Outside += r.Records
			continue
		}
		if a.Collapsed {
			day = 0
		}
		if !t.keeps(a, b, r) {
			continue
		}
		// what a sum's value needs; the rest of its texts when a grouping's
		// value is looked up (t.of)
		key := &b.Keys[r.Key]
		s = Sum{Day: FromDayNumber(b.first + int64(r.Day)), Metric: b.Texts[key[fMetric]], MetricName: b.Texts[key[fMetricName]],
			Correction: r.Correction, Currency: b.Texts[key[fCurrency]], Unit: b.Texts[key[fUnit]], Costs: r.Costs, Records: r.Records,
			Qty: r.Qty, Cost: r.Cost}
		t.blk, t.at = b, i
		a.fold(&s, day, t)
	}
}

// textSeries finds a block's series by the numbers of its texts.
type textSeries struct {
	blk *Block // and its sum at, being folded
	at  int
	// last are the series of the key lastKey in denomination lastDI-1 (a
	// month's value holds a key's days one after another)
	last    [nDims][]float64
	lastKey int32
	lastDI  int32
	by      [nDims][]textSeriesAt
	pass    [][]uint8 // per filter and text: 0 not yet known, 1 passes, 2 fails
}

type textSeriesAt struct {
	di     int32 // the denomination + 1 (0: not looked up yet)
	series []float64
}

func (t *textSeries) reset(texts, filters int) {
	t.lastDI = 0 // keys are the block's
	for d := range t.by {
		t.by[d] = grown(t.by[d], texts)
	}
	for len(t.pass) < filters {
		t.pass = append(t.pass, nil)
	}
	for f := range filters {
		t.pass[f] = grown(t.pass[f], texts)
	}
}

// grown is s cleared, n long (at least one: the total has no text).
func grown[T any](s []T, n int) []T {
	n = max(n, 1)
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// textOf is the number of r's text for d (0 for the total, which has none).
func (b *Block) textOf(r *StoredSum, d Dim) int {
	if f := dimField[d]; f >= 0 {
		return int(b.Keys[r.Key][f])
	}
	return 0
}

// keeps reports whether r passes a's filters.
func (t *textSeries) keeps(a *Agg, b *Block, r *StoredSum) bool {
	for fi, f := range a.Filters {
		i := b.textOf(r, f.Dim)
		p := &t.pass[fi][i]
		if *p == 0 {
			*p = 2
			v := ""
			if dimField[f.Dim] >= 0 {
				v = b.Texts[i]
			}
			if dimKey(f.Dim, v) == f.Key {
				*p = 1
			}
		}
		if *p != 1 {
			return false
		}
	}
	return true
}

// all are the folded sum's series of every grouping a keeps (nil for
// the others) in denomination di.
func (t *textSeries) all(a *Agg, di int32) *[nDims][]float64 {
	if key := t.blk.Sums[t.at].Key; key == t.lastKey && t.lastDI == di+1 {
		return &t.last
	}
	for d := DimTotal; d < nDims; d++ {
		t.last[d] = nil
		if !a.Coarse || !fineDim(d) {
			t.last[d] = t.of(a, d, di)
		}
	}
	t.lastKey, t.lastDI = t.blk.Sums[t.at].Key, di+1
	return &t.last
}

// of is the series of the folded sum's value of d in denomination di.
func (t *textSeries) of(a *Agg, d Dim, di int32) []float64 {
	at := &t.by[d][t.blk.textOf(&t.blk.Sums[t.at], d)]
	if at.di != di+1 {
		var s Sum
		t.blk.Sum(t.at, &s)
		k, label := keyOf(&s, d)
		at.di, at.series = di+1, a.seriesOf(seriesKey{d, a.intern(d, k, label), di})
	}
	return at.series
}
