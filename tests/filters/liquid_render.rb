# Renders each tests/liquid/cases/NAME.liquid given on the command line
# with Liquid 5.4 alone (no Jekyll filters), NAME.yml as its variables.
# Prints one JSON object, template path to output.
require 'json'
require 'liquid'
require 'yaml'
require 'date'

out = {}
ARGV.each do |path|
  data_path = path.sub(/\.liquid\z/, '.yml')
  data = {}
  if File.exist?(data_path)
    data = YAML.safe_load(File.read(data_path, encoding: 'UTF-8'),
                          permitted_classes: [Date, Time]) || {}
  end
  begin
    out[path] = Liquid::Template.parse(File.read(path, encoding: 'UTF-8')).render(data)
  rescue StandardError => e
    out[path] = "Ruby raised: #{e.message}"
  end
end
puts JSON.generate(out)
