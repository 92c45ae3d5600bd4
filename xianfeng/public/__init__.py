"""The residents' public side: the problem wall (问题墙) and echo wall (回音壁), zone boards
(公示牌) with QR codes and posters, and Open311 GeoReport v2."""
