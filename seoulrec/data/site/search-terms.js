// The query side of seoulrec's Korean search terms: Hangul syllables become ASCII keys
// ("k" + three base-36 digits of the syllable's offset), exactly as seoulrec/site.py keys the
// pages' terms. Pagefind then reads a few small index chunks instead of one chunk holding
// every Hangul word.
window.seoulrecKey = function (term) {
  return term.replace(/[\uAC00-\uD7A3]/g, function (c) {
    return "k" + (c.charCodeAt(0) - 0xAC00).toString(36).padStart(3, "0");
  });
};
