// Stands in for the JSON library when the layers below the JSON edge are compiled (core/CMakeLists.txt,
// vramplan_pure): model, formats, catalog, engines and serving take and return structs; only the import and
// api layers read and write JSON.
#error "the JSON library belongs to core/src/import and core/src/api only"
