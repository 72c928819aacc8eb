// Validates Amazon States Language files with asl-validator: every statemachines/**/*.json of the repository
// and the definitions inside the compiler's golden files. Exit 1 when any is invalid.
const fs = require('fs');
const path = require('path');
const aslValidator = require('asl-validator');
const validate = aslValidator.default || aslValidator;

const root = path.resolve(__dirname, '../../../../..');
const files = [];
function collect(dir, filter) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, filter);
    else if (filter(full)) files.push(full);
  }
}
collect(path.join(root, 'statemachines'), f => f.endsWith('.json'));
collect(path.join(root, 'functions/flow-compiler/src/test/resources/flows'), f => f.endsWith('.json') && !f.endsWith('settings.json') && !f.includes('/configs/'));

let failed = 0;
for (const file of files) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const definition = json.definition || json;
  const { isValid, errorsText } = validate(definition);
  if (!isValid) {
    failed++;
    console.error(`invalid: ${path.relative(root, file)}: ${errorsText('\n  ')}`);
  }
}
console.log(`asl-validator: ${files.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 && files.length > 0 ? 0 : 1);
