// Prints a bcrypt hash for an agent account: npm run hash-password -- 'the password'
import bcrypt from 'bcryptjs';

const password = process.argv[2];
if (!password) {
  console.error("usage: npm run hash-password -- 'the password'");
  process.exit(2);
}
console.log(bcrypt.hashSync(password, 12));
