import { Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn } from 'class-validator';
import { enumOf } from '@licensing/platform';
import { Language, LANGUAGES } from './settings.entity';

export const LanguageEnum = enumOf(LANGUAGES);
registerEnumType(LanguageEnum, {
  name: 'Language',
  description: 'The language of the e-mails a vendor’s clients get.',
  valuesMap: { EN: { description: 'English (the default).' }, RU: { description: 'Russian.' } },
});

@ObjectType({ description: 'How the vendor’s notifications are made.' })
export class NotificationSettings {
  @Field(() => LanguageEnum, { description: 'The language of the e-mails to the vendor’s clients.' })
  language!: Language;
}

@InputType({ description: 'The vendor’s notification settings to set.' })
export class UpdateNotificationSettingsInput {
  @Field(() => LanguageEnum, { description: 'The language of the e-mails to the vendor’s clients.' })
  @IsIn(LANGUAGES, { message: 'language must be EN or RU' })
  language!: Language;
}
