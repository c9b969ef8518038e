# Renders each case given on the command line (CASE.liquid, with CASE.yml as
# its variables when there is one) with Jekyll 4.3's Liquid: Shopify Liquid
# 5 with Jekyll's tags and filters, a Jekyll site whose source is this
# folder (so _includes/ here is the site's), line numbers on as Jekyll has
# them, and Liquid's lax error mode.
# Prints one JSON object: case name => output, or {"error" => message} when
# Jekyll would stop on it.
require "json"
require "tmpdir"
require "yaml"
require "liquid"

require "jekyll"
config = Jekyll.configuration("source" => __dir__,
                              "destination" => File.join(Dir.tmpdir, "liquid-cases-site"),
                              "quiet" => true, "safe" => true)
Jekyll.logger.log_level = :error
site = Jekyll::Site.new(config)

results = {}
ARGV.each do |path|
  name = File.basename(path, ".liquid")
  data_path = path.sub(/\.liquid\z/, ".yml")
  data = File.exist?(data_path) ? YAML.safe_load(File.read(data_path), permitted_classes: [Date, Time], aliases: true) : {}
  data ||= {}
  begin
    template = Liquid::Template.parse(File.read(path), line_numbers: true)
    out = template.render(data, registers: { site: site })
    results[name] = out
  rescue StandardError, SyntaxError => e
    results[name] = { "error" => e.message }
  end
end
puts JSON.generate(results)
