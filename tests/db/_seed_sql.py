"""The seed's SQL examples (004_646b3fd3ad3d5bbf.txt), character for character: one copy for the tests and for
benchmarks/seed_queries.py."""

NEAREST_IRON = """
SELECT patch_id, total_amount, 
       ST_Distance(centroid, ST_Point(0, 0)) AS distance
FROM resource_patch 
WHERE resource_name = 'iron-ore'
ORDER BY distance ASC;"""
UNPOWERED_DRILLS = """
SELECT d.entity_key, m.position
FROM mining_drill d
JOIN map_entity m ON d.entity_key = m.entity_key
WHERE m.electric_network_id IS NULL;"""
COASTS = """
SELECT patch_id, coast_length, total_area
FROM water_patch
WHERE coast_length > 20
ORDER BY coast_length DESC;"""
BEST_IRON = """
SELECT 
  resource_name,
  total_amount,
  ST_Distance(centroid, ST_Point(0, 0)) AS distance_from_spawn
FROM resource_patch 
WHERE resource_name = 'iron-ore'
ORDER BY total_amount DESC, distance_from_spawn ASC;"""
UNCOVERED = """
SELECT resource_name, COUNT(*) as uncovered_patches
FROM resource_patch rp
WHERE NOT EXISTS (
  SELECT 1 FROM map_entity e 
  JOIN mining_drill d ON e.entity_key = d.entity_key
  WHERE ST_DWithin(rp.centroid, ST_Point(e.position.x, e.position.y), 2)
)
GROUP BY resource_name;"""
DRILLS = "SELECT * FROM map_entity WHERE entity_name = 'burner-mining-drill'"
GHOSTS = "SELECT * FROM ghost WHERE ghost_name = 'assembling-machine-1'"
IRON_PATCHES = "SELECT * FROM resource_patch WHERE resource_name = 'iron-ore'"
