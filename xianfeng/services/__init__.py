"""Services (服务清单, 资源清单, 项目清单) and residents' orders:
群众点单 → 社区下单 → 党员接单 → done → rated."""
