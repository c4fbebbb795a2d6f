"""Comment themes (docs/insights.md): TF-IDF over stemmed Finnish and English words,
k-means per language with k chosen by silhouette, nearest-centroid assignment."""
